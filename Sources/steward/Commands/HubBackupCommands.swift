import ArgumentParser
import Foundation
import Logging
import StewardAgentCommand
import StewardHub

/// Where a backup's passphrase comes from: `STEWARD_BACKUP_PASSPHRASE`, else the first line of
/// standard input (never an argument, which every local user can read in `ps`).
enum BackupPassphrase {
    static func read() throws -> String {
        if let value = ProcessInfo.processInfo.environment["STEWARD_BACKUP_PASSPHRASE"], !value.isEmpty { return value }
        guard let line = Swift.readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("give the passphrase in STEWARD_BACKUP_PASSPHRASE or on standard input")
        }
        return line
    }
}

struct HubBackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back the hub up while it runs: its database and keys, in one file encrypted with a passphrase.",
        discussion: """
            SQLite is copied with VACUUM INTO (one consistent snapshot); PostgreSQL with pg_dump. The
            passphrase comes from STEWARD_BACKUP_PASSPHRASE or standard input (at least 12 characters).
            """)

    @Option(help: "The hub's data directory (its keys, and by default its SQLite database).")
    var dataDir = "./steward-data"

    @Option(help: "postgres://… when the hub uses PostgreSQL (or STEWARD_DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "The backup file to write.")
    var out: String

    func run() async throws {
        let logger = LogFormat.text.bootstrap(label: "steward.backup")
        let location =
            try (databaseURL ?? ProcessInfo.processInfo.environment["STEWARD_DATABASE_URL"]).map { try DatabaseLocation(url: $0) }
            ?? .sqlite(path: dataDir + "/steward.sqlite")
        do {
            let size = try await HubBackup.create(
                dataDirectory: dataDir, database: location, passphrase: try BackupPassphrase.read(), output: out, logger: logger)
            Console.write("Wrote \(out) (\(size) bytes before encryption). Keep the passphrase apart from it.")
        } catch let failure as HubBackup.Failure {
            throw ValidationError(failure.description)
        }
    }
}

struct HubRestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a hub backup into a new data directory (and, for PostgreSQL, an empty database).",
        discussion: "Then start the hub on it: its agents carry on without enrolling again.")

    @Option(name: .customLong("in"), help: "The backup file.")
    var input: String

    @Option(help: "The new data directory; it must not hold a hub yet.")
    var dataDir: String

    @Option(help: "postgres://… of an empty database, for a PostgreSQL backup.")
    var databaseURL: String?

    func run() async throws {
        do {
            let schema = try HubBackup.restore(
                input: input, passphrase: try BackupPassphrase.read(), dataDirectory: dataDir, databaseURL: databaseURL)
            Console.write("Restored into \(dataDir) (schema version \(schema)). Start it with: steward hub --data-dir \(dataDir)")
        } catch let failure as HubBackup.Failure {
            throw ValidationError(failure.description)
        }
    }
}
