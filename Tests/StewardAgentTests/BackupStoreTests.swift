import Crypto
import Foundation
import StewardCore
import Testing

@testable import StewardAgent

#if canImport(Glibc)
import Glibc
#endif

/// `backup` and `restore` steps with real files, real tar and real scripts: what is restored is
/// byte for byte, mode for mode, what was archived, and what was not there then is gone again.
struct BackupStoreTests {
    struct Sandbox {
        let base = NSTemporaryDirectory() + "steward-backups-" + UUID().uuidString
        var app: String { base + "/srv/app" }
        var config: String { base + "/etc/app.conf" }
        var backups: String { base + "/backups" }

        init() throws {
            try FileManager.default.createDirectory(atPath: app + "/data", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: base + "/etc", withIntermediateDirectories: true)
        }

        func remove() { try? FileManager.default.removeItem(atPath: base) }

        func run(_ step: Wire.Job.Step, environment: [String: String] = [:]) async -> (StepExecutor.Outcome, [String]) {
            let lines = ScriptRunnerTests.Lines()
            // A generous deadline: these tests are about what is archived, not about time. Alone a round
            // trip takes 0.1 s; beside the whole suite its tar once ran past a 30 s deadline (2026-12-07).
            let context = StepExecutor.Context(
                environment: environment, secrets: [], deadline: .now + .seconds(300), stop: StopSignal(), onLine: { await lines.add($0) })
            let executor = StepExecutor(
                policy: AgentPolicy(), runner: ScriptRunner(workRoot: base + "/work"), backups: BackupStore(root: backups))
            return (await executor.run(step, index: 0, context: context), await lines.all)
        }

        func step(
            _ type: Wire.Job.Step.Kind, id: String, script: String? = nil, keep: [String]? = nil, sha256: String? = nil
        ) -> Wire.Job.Step {
            var step = Wire.Job.Step(type: type)
            step.app = "greeter"
            step.installation = "inst-1"
            step.backupID = id
            step.paths = [app, config]
            step.keep = keep
            step.archiveSHA256 = sha256
            if let script {
                step.script = Data(script.utf8).base64EncodedString()
                step.scriptSHA256 = SHA256.hash(data: Data(script.utf8)).map { String(format: "%02x", $0) }.joined()
            }
            return step
        }

        /// Every file and directory under the two paths: path, mode, and content's SHA-256.
        func tree() throws -> [String] {
            var entries: [String] = []
            for root in [app, config] {
                var paths = [root]
                if let enumerator = FileManager.default.enumerator(atPath: root) {
                    paths += enumerator.compactMap { $0 as? String }.map { root + "/" + $0 }
                }
                for path in paths.sorted() {
                    var info = stat()
                    guard lstat(path, &info) == 0 else { continue }
                    // Regular files with their contents and times; directories and links by mode (and target).
                    if info.st_mode & S_IFMT == S_IFREG {
                        let content = SHA256.hash(data: FileManager.default.contents(atPath: path) ?? Data()).description
                        entries.append("\(path) \(String(info.st_mode, radix: 8)) \(info.st_mtim.tv_sec) \(content)")
                    } else {
                        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? ""
                        entries.append("\(path) \(String(info.st_mode, radix: 8)) \(target)")
                    }
                }
            }
            return entries
        }
    }

    @Test("a restore puts back exactly what was archived: contents, modes and times; new files go, removed ones return")
    func roundTrip() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try "v1 settings\n".write(toFile: sandbox.config, atomically: true, encoding: .utf8)
        try Data((0..<4096).map { UInt8($0 % 251) }).write(to: URL(fileURLWithPath: sandbox.app + "/data/blob.bin"))
        try "keep me\n".write(toFile: sandbox.app + "/data/notes.txt", atomically: true, encoding: .utf8)
        chmod(sandbox.app + "/data/notes.txt", 0o600)
        try FileManager.default.createSymbolicLink(atPath: sandbox.app + "/current", withDestinationPath: "data")
        let before = try sandbox.tree()

        let dump = "#!/bin/sh\nset -e\necho 'rows: 42' > \"$STEWARD_BACKUP_DIR/dump.sql\"\necho dumped\n"
        let (made, lines) = await sandbox.run(sandbox.step(.backup, id: "b1", script: dump))
        #expect(made.result.exitCode == 0, "\(made.result.error ?? "") \(lines)")
        let archive = try #require(made.result.archive)
        #expect(archive.path == sandbox.backups + "/inst-1/b1.tar")
        #expect(archive.sizeBytes > 0)
        #expect(try BackupStore.measure(archive.path) == (archive.sizeBytes, archive.sha256))
        #expect(lines.contains("dumped"))

        // The "upgrade": contents change, a file appears, one goes, a mode changes, the link moves.
        try "v2 settings, broken\n".write(toFile: sandbox.config, atomically: true, encoding: .utf8)
        try "new\n".write(toFile: sandbox.app + "/data/new.txt", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: sandbox.app + "/data/notes.txt")
        chmod(sandbox.app + "/data/blob.bin", 0o777)
        try FileManager.default.removeItem(atPath: sandbox.app + "/current")
        try FileManager.default.createSymbolicLink(atPath: sandbox.app + "/current", withDestinationPath: "/etc")
        #expect(try sandbox.tree() != before)

        let load = "#!/bin/sh\nset -e\ncat \"$STEWARD_BACKUP_DIR/dump.sql\"\n"
        let (restored, restoreLines) = await sandbox.run(sandbox.step(.restore, id: "b1", script: load, sha256: archive.sha256))
        #expect(restored.result.exitCode == 0, "\(restored.result.error ?? "") \(restoreLines)")
        #expect(try sandbox.tree() == before)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: sandbox.app + "/current") == "data")
        #expect(restoreLines.contains("rows: 42"), "the restore script read what the backup script dumped")
    }

    @Test("a damaged archive is refused before anything is touched; a missing one is named")
    func damaged() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try "v1\n".write(toFile: sandbox.config, atomically: true, encoding: .utf8)
        let (made, _) = await sandbox.run(sandbox.step(.backup, id: "b1"))
        let archive = try #require(made.result.archive)
        try "v2\n".write(toFile: sandbox.config, atomically: true, encoding: .utf8)
        let (refused, _) = await sandbox.run(sandbox.step(.restore, id: "b1", sha256: String(repeating: "0", count: 64)))
        #expect(refused.result.exitCode != 0)
        #expect(refused.result.error?.contains("damaged") == true)
        #expect(try String(contentsOfFile: sandbox.config, encoding: .utf8) == "v2\n", "nothing was changed")
        let (missing, _) = await sandbox.run(sandbox.step(.restore, id: "b9", sha256: archive.sha256))
        #expect(missing.result.error?.contains("no archive b9") == true)
    }

    @Test("a path that did not exist when the backup was made is removed by the restore")
    func absentPath() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try "v1\n".write(toFile: sandbox.app + "/data/x", atomically: true, encoding: .utf8)
        let (made, _) = await sandbox.run(sandbox.step(.backup, id: "b1"))
        #expect(made.result.exitCode == 0)
        try "created by the upgrade\n".write(toFile: sandbox.config, atomically: true, encoding: .utf8)
        let (restored, _) = await sandbox.run(sandbox.step(.restore, id: "b1", sha256: made.result.archive?.sha256))
        #expect(restored.result.exitCode == 0)
        #expect(!FileManager.default.fileExists(atPath: sandbox.config))
        #expect(FileManager.default.fileExists(atPath: sandbox.app + "/data/x"))
    }

    @Test("a failing backup script fails the step and leaves no archive; rotation keeps only what the hub names")
    func scriptFailureAndRotation() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try "v1\n".write(toFile: sandbox.config, atomically: true, encoding: .utf8)
        let (failed, _) = await sandbox.run(sandbox.step(.backup, id: "b0", script: "#!/bin/sh\necho 'disk full' >&2\nexit 3\n"))
        #expect(failed.result.exitCode == 1)
        #expect(failed.result.error == "the backup script exited with 3")
        #expect(!FileManager.default.fileExists(atPath: sandbox.backups + "/inst-1/b0.tar"))
        for id in ["b1", "b2", "b3"] {
            let (made, _) = await sandbox.run(sandbox.step(.backup, id: id, keep: id == "b3" ? ["b1"] : nil))
            #expect(made.result.exitCode == 0)
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: sandbox.backups + "/inst-1").sorted()
        #expect(left == ["b1.tar", "b3.tar"])
    }

    @Test("backup and restore steps are checked: ids, paths at least two levels deep, and something to copy")
    func shape() {
        var step = Wire.Job.Step(type: .backup)
        step.app = "greeter"
        step.installation = "../etc"
        step.backupID = "B1"
        step.paths = ["/", "/etc", "/etc/../root", "/etc/nginx"]
        let fields = StepCheck.problems(step, index: 0).map(\.field)
        #expect(fields == ["steps[0].installation", "steps[0].backup_id", "steps[0].paths[0]", "steps[0].paths[1]", "steps[0].paths[2]"])
        step.installation = "inst-1"
        step.backupID = "b1"
        step.paths = []
        #expect(StepCheck.problems(step, index: 0).map(\.field) == ["steps[0].paths"])
    }
}
