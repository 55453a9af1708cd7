import Crypto
import CryptoExtras
import Foundation
import Logging
import SQLKit
import StewardCore

/// `steward hub backup` and `steward hub restore`: the hub's database and keys in one file,
/// encrypted with a passphrase. A backup is taken while the hub runs: SQLite's `VACUUM INTO` copies
/// one consistent snapshot (the WAL included); PostgreSQL is dumped with `pg_dump`. The keys go with
/// it: without `master.key` no sealed secret opens, and without `signing.key` no agent accepts a job.
///
/// The file: `STEWARD-HUB-BACKUP-1\n`, a 16-byte scrypt salt, then AES-256-GCM (nonce, ciphertext,
/// tag) of a tar archive holding `manifest.json`, the keys and `steward.sqlite` or `postgresql.sql`.
public enum HubBackup {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// What the archive says about itself.
    struct Manifest: Codable {
        var format: Int
        var stewardVersion: String
        var database: String
        var schemaVersion: Int
        var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case format, database
            case stewardVersion = "steward_version"
            case schemaVersion = "schema_version"
            case createdAt = "created_at"
        }
    }

    static let magic = Data("STEWARD-HUB-BACKUP-1\n".utf8)
    static let keyFiles = ["master.key", "signing.key"]
    /// scrypt with N = 2^15, r = 8, p = 1: about 32 MiB and a tenth of a second per try.
    static func key(passphrase: String, salt: Data) throws -> SymmetricKey {
        try KDF.Scrypt.deriveKey(
            from: Data(passphrase.utf8), salt: salt, outputByteCount: 32, rounds: 1 << 15, blockSize: 8, parallelism: 1)
    }

    /// A minimum that makes guessing the passphrase of a stolen backup slow enough to matter.
    public static let minimumPassphraseLength = 12

    /// Writes a backup of the hub whose data directory is `dataDirectory` (and whose database is
    /// `database`) to `output`; returns the archive's size before encryption.
    @discardableResult
    public static func create(
        dataDirectory: String, database: DatabaseLocation, passphrase: String, output: String, logger: Logger
    ) async throws -> Int {
        guard passphrase.count >= minimumPassphraseLength else {
            throw Failure("the passphrase must be at least \(minimumPassphraseLength) characters")
        }
        let scratch = NSTemporaryDirectory() + "steward-backup-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var archive = TarArchive(modified: Date())
        let schema: Int
        let databaseName: String
        switch database {
        case .sqlite(let path):
            guard FileManager.default.fileExists(atPath: path) else { throw Failure("there is no database at \(path)") }
            let pool = try await SQLitePool.open(path: path, logger: logger)
            let copy = scratch + "/steward.sqlite"
            do {
                schema = try await pool.read(.hub) { db in
                    // One consistent snapshot, even while the hub writes (WAL mode).
                    try await db.raw("VACUUM INTO \(bind: copy)").run()
                    return try await db.raw("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations").first()?
                        .decode(column: "v", as: Int.self) ?? 0
                }
                try await pool.close()
            } catch {
                try? await pool.close()
                throw error
            }
            try archive.add(file: "steward.sqlite", content: Data(contentsOf: URL(fileURLWithPath: copy)))
            databaseName = "sqlite"
        case .postgresql(let url):
            // As the hub's own (ordinary) role, row-level security applies: dump in the hub's scope,
            // which sees every tenant's rows, as the hub's cross-tenant work does.
            let dump = try run(
                ["pg_dump", "--no-owner", "--no-privileges", "--enable-row-security", "--dbname", url], missing: "pg_dump")
            try archive.add(file: "postgresql.sql", content: dump)
            schema = Self.schemaVersion(inDump: dump)
            databaseName = "postgresql"
        }
        for name in keyFiles {
            let path = dataDirectory + "/" + name
            guard let key = FileManager.default.contents(atPath: path) else {
                throw Failure("\(path) cannot be read: a backup without the hub's keys could not be restored")
            }
            try archive.add(file: name, content: key)
        }
        let manifest = Manifest(
            format: 1, stewardVersion: StewardVersion.current, database: databaseName, schemaVersion: schema, createdAt: Date())
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        try archive.add(file: "manifest.json", content: encoder.encode(manifest))
        let plain = archive.finished()
        let salt = Data((0..<16).map { _ in UInt8.random(in: 0 ... .max) })
        guard let sealed = try AES.GCM.seal(plain, using: key(passphrase: passphrase, salt: salt)).combined else {
            throw Failure("AES-GCM gave no combined form")
        }
        try AtomicFile.write(magic + salt + sealed, to: output, mode: 0o600)
        return plain.count
    }

    /// Restores a backup into `dataDirectory` (which must hold no hub yet): the keys, and the SQLite
    /// file, or, for a PostgreSQL backup, the dump loaded with `psql` into the empty database at
    /// `databaseURL`. Returns the manifest's schema version.
    @discardableResult
    public static func restore(input: String, passphrase: String, dataDirectory: String, databaseURL: String?) throws -> Int {
        guard let file = FileManager.default.contents(atPath: input) else { throw Failure("\(input) cannot be read") }
        guard file.starts(with: magic), file.count > magic.count + 16 else { throw Failure("\(input) is not a Steward hub backup") }
        let salt = file.subdata(in: magic.count..<(magic.count + 16))
        let plain: Data
        do {
            plain = try AES.GCM.open(
                try AES.GCM.SealedBox(combined: file.subdata(in: (magic.count + 16)..<file.count)),
                using: key(passphrase: passphrase, salt: salt))
        } catch {
            throw Failure("the passphrase is wrong, or the backup was changed")
        }
        let files = try TarArchive.files(in: plain)
        guard let manifestData = files["manifest.json"] else { throw Failure("the backup has no manifest") }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let manifest = try decoder.decode(Manifest.self, from: manifestData)
        let manager = FileManager.default
        try manager.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for name in keyFiles + ["steward.sqlite"] where manager.fileExists(atPath: dataDirectory + "/" + name) {
            throw Failure("\(dataDirectory) already holds \(name): restore into a new data directory")
        }
        switch manifest.database {
        case "sqlite":
            guard let database = files["steward.sqlite"] else { throw Failure("the backup has no database") }
            try AtomicFile.write(database, to: dataDirectory + "/steward.sqlite", mode: 0o600)
        case "postgresql":
            guard let dump = files["postgresql.sql"] else { throw Failure("the backup has no database dump") }
            guard let databaseURL else { throw Failure("this is a PostgreSQL backup: give --database-url of an empty database") }
            let path = dataDirectory + "/restore.sql"
            try AtomicFile.write(dump, to: path, mode: 0o600)
            defer { try? manager.removeItem(atPath: path) }
            _ = try run(["psql", "--quiet", "--set", "ON_ERROR_STOP=1", "--dbname", databaseURL, "--file", path], missing: "psql")
        default:
            throw Failure("the backup's database \(manifest.database) is not one this hub knows")
        }
        for name in keyFiles {
            guard let key = files[name] else { throw Failure("the backup has no \(name)") }
            try AtomicFile.write(key, to: dataDirectory + "/" + name, mode: 0o600)
        }
        return manifest.schemaVersion
    }

    /// The highest migration a `pg_dump` recorded (`COPY public.schema_migrations` rows).
    static func schemaVersion(inDump dump: Data) -> Int {
        let text = String(decoding: dump, as: UTF8.self)
        guard let start = text.range(of: "COPY public.schema_migrations") else { return 0 }
        var highest = 0
        for line in text[start.upperBound...].split(separator: "\n").dropFirst() {
            if line == "\\." { break }
            if let version = line.split(separator: "\t").first.flatMap({ Int($0) }) { highest = max(highest, version) }
        }
        return highest
    }

    /// Runs a PostgreSQL program from PATH or the newest /usr/lib/postgresql/*/bin; its output.
    private static func run(_ arguments: [String], missing program: String) throws -> Data {
        var candidates = ["/usr/bin/" + program]
        if let versions = try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
            candidates += versions.sorted { Int($0) ?? 0 > Int($1) ?? 0 }.map { "/usr/lib/postgresql/\($0)/bin/\(program)" }
        }
        guard let executable = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw Failure(
                "\(program) is not installed: apt-get install postgresql-client (docs/OPERATIONS.md has the procedure without it)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(arguments.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment["PGOPTIONS"] = "-c steward.scope=hub -c steward.tenant_id="
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure("\(program) failed: \(String(decoding: message.prefix(2000), as: UTF8.self))")
        }
        return data
    }
}
