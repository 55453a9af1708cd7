import Crypto
import Foundation
import StewardCore

#if canImport(Glibc)
import Glibc
#endif

/// The archives of `backup` steps, one folder per installation under the agent's backup directory:
/// `<root>/<installation>/<backup id>.tar`. Each archive holds `files.tar.gz` (the declared paths
/// that existed, with modes, owners and times) and `data/` (what the app's `backup` script dumped
/// into `$STEWARD_BACKUP_DIR`).
///
/// The copying is GNU tar's, run like any program of a job (``ScriptRunner``: timeout, cancel, its
/// messages in the job's log): it keeps modes, owners, times, links and sparse files exactly, which a
/// hand-written copy would have to get right one case at a time.
struct BackupStore: Sendable {
    /// The agent's `--backup-dir`.
    let root: String
    static let tar = "/bin/tar"

    /// Runs a program for the store; the step's runner with its log, timeout and stop signal.
    typealias Run = @Sendable (_ program: ScriptRunner.Program, _ environment: [String: String]) async throws -> Int32

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    func folder(installation: String) -> String { root + "/" + installation }

    func archivePath(installation: String, backupID: String) -> String {
        folder(installation: installation) + "/" + backupID + ".tar"
    }

    /// Writes the archive `backupID` of `paths` and, with `dump`, of what it writes into
    /// `$STEWARD_BACKUP_DIR`; then removes the installation's archives not in `keep` (when given).
    func create(
        installation: String, backupID: String, paths: [String], dump: Data?, keep: [String]?, run: Run
    ) async throws -> Wire.Job.Archive {
        let started = ContinuousClock.now
        let folder = folder(installation: installation)
        try AtomicFile.makeDirectory(root)
        try AtomicFile.makeDirectory(folder)
        let staging = folder + "/." + backupID + ".partial"
        try? FileManager.default.removeItem(atPath: staging)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        try AtomicFile.makeDirectory(staging + "/data")
        if let dump {
            let status = try await run(.script(dump), ["STEWARD_BACKUP_DIR": staging + "/data"])
            guard status == 0 else { throw Failure("the backup script exited with \(status)") }
        }
        let present = paths.filter { Self.exists($0) }
        if !present.isEmpty {
            let status = try await run(
                .executable(
                    path: Self.tar,
                    arguments: ["--create", "--gzip", "--file", staging + "/files.tar.gz", "--directory", "/", "--numeric-owner", "--"]
                        + present.map { String($0.dropFirst()) }),
                [:])
            guard status == 0 else { throw Failure("tar could not copy \(present.joined(separator: ", ")) (exit \(status))") }
        }
        let archive = archivePath(installation: installation, backupID: backupID)
        let status = try await run(
            .executable(path: Self.tar, arguments: ["--create", "--file", archive + ".partial", "--directory", staging, "."]), [:])
        guard status == 0 else { throw Failure("tar could not write the archive (exit \(status))") }
        guard rename(archive + ".partial", archive) == 0 else { throw Failure("cannot move the archive into place: errno \(errno)") }
        let (size, digest) = try Self.measure(archive)
        if let keep { prune(folder: folder, keeping: Set(keep + [backupID])) }
        return Wire.Job.Archive(
            path: archive, sizeBytes: size, sha256: digest, durationMS: Int64((ContinuousClock.now - started) / .milliseconds(1)))
    }

    /// Puts archive `backupID` back: checks its SHA-256, moves each of `paths` aside, unpacks the
    /// files as archived (so what did not exist then is gone again), and runs `load` with
    /// `$STEWARD_BACKUP_DIR` at the dumped data. If unpacking fails, what was moved aside comes back.
    func restore(
        installation: String, backupID: String, sha256: String?, paths: [String], load: Data?, run: Run
    ) async throws {
        let archive = archivePath(installation: installation, backupID: backupID)
        guard Self.exists(archive) else { throw Failure("there is no archive \(backupID) on this server (\(archive))") }
        if let sha256 {
            let (_, digest) = try Self.measure(archive)
            guard digest == sha256 else { throw Failure("archive \(backupID) is damaged: its SHA-256 is \(digest), not \(sha256)") }
        }
        let staging = folder(installation: installation) + "/.restore-" + backupID
        try? FileManager.default.removeItem(atPath: staging)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        try AtomicFile.makeDirectory(staging + "/previous")
        let status = try await run(.executable(path: Self.tar, arguments: ["--extract", "--file", archive, "--directory", staging]), [:])
        guard status == 0 else { throw Failure("tar could not read archive \(backupID) (exit \(status))") }

        // Aside, not deleted: until the archive's files are in place, what was there can come back.
        var movedAside: [(path: String, aside: String)] = []
        for (index, path) in paths.enumerated() where Self.exists(path) {
            let aside = staging + "/previous/\(index)"
            if rename(path, aside) == 0 {
                movedAside.append((path, aside))
            } else {
                // Another file system: moving would copy; the archive is checked, so remove instead.
                try FileManager.default.removeItem(atPath: path)
            }
        }
        let files = staging + "/files.tar.gz"
        if Self.exists(files) {
            let status = try await run(
                .executable(
                    path: Self.tar,
                    arguments: ["--extract", "--gzip", "--file", files, "--directory", "/", "--preserve-permissions", "--numeric-owner"]),
                [:])
            guard status == 0 else {
                for (path, aside) in movedAside {
                    try? FileManager.default.removeItem(atPath: path)
                    _ = rename(aside, path)
                }
                throw Failure("tar could not put the files back (exit \(status)); what was there before is back in place")
            }
        }
        if let load {
            let status = try await run(.script(load), ["STEWARD_BACKUP_DIR": staging + "/data"])
            guard status == 0 else { throw Failure("the restore script exited with \(status)") }
        }
    }

    /// Removes the folder's archives whose id is not kept (and leftovers of interrupted runs).
    private func prune(folder: String, keeping keep: Set<String>) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            let id = name.hasSuffix(".tar") ? String(name.dropLast(4)) : nil
            if let id, keep.contains(id) { continue }
            if name.hasPrefix(".restore-") { continue }
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
    }

    /// Whether anything (a link included) is at `path`.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The file's size and SHA-256 (hex), read in pieces.
    static func measure(_ path: String) throws -> (Int64, String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Failure("cannot read \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            size += Int64(chunk.count)
        }
        return (size, Hex.encode(hasher.finalize()))
    }
}
