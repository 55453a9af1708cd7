import Crypto
import Foundation
import PropertyBased
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardHub

/// What config history writes, held against real programs: its diffs apply with `patch`, and its
/// export is a repository `git fsck` finds clean and `git log` reads.
struct ConfigHistoryFormatTests {
    /// Runs a program in `directory` with a clean environment; its status and what it printed.
    static func run(_ arguments: [String], in directory: String, input: Data? = nil) throws -> ProgramRun {
        try ProgramRun(arguments, in: directory, environment: ProgramRun.toolEnvironment(home: directory), input: input)
    }

    @Test("diffs of random edits apply with patch and give the new text; equal texts give none")
    func diffsApply() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let words = ["listen 80;", "server_name shop;", "", "root /srv;", "# comment", "gzip on;", "}"]
        await propertyCheck(count: 60, input: Gen.int(in: 0...11).array(of: 0...30), Gen.int(in: 0...11).array(of: 0...30)) {
            before, after in
            let old = before.map { words[$0 % words.count] + ($0 >= words.count ? " x" : "") }.joined(separator: "\n") + "\n"
            let new = after.map { words[$0 % words.count] + ($0 >= words.count ? " x" : "") }.joined(separator: "\n") + "\n"
            let diff = UnifiedDiff.make(from: old, to: new, fromLabel: "a/app.conf", toLabel: "b/app.conf")
            if old == new {
                #expect(diff.isEmpty)
                return
            }
            let file = directory.path + "/app.conf"
            try? old.write(toFile: file, atomically: true, encoding: .utf8)
            try? diff.write(toFile: directory.path + "/change.diff", atomically: true, encoding: .utf8)
            let patched = try? Self.run(["patch", "--batch", "--fuzz=0", file, directory.path + "/change.diff"], in: directory.path)
            #expect(patched?.status == 0, "\(patched?.output ?? "")\n\(diff)")
            // patch finds a hunk whose line numbers are off, and says so: they must be exact.
            #expect(patched?.output.contains("offset") == false, "\(patched?.output ?? "")\n\(diff)")
            #expect((try? String(contentsOfFile: file, encoding: .utf8)) == new, "\(diff)")
        }
    }

    @Test("a diff shows what changed with three lines of context, in diff -u's form")
    func diffForm() {
        let old = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacingOccurrences(of: "line 5\n", with: "line five\n")
        #expect(
            UnifiedDiff.make(from: old, to: new, fromLabel: "a/f", toLabel: "b/f")
                == "--- a/f\n+++ b/f\n@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+line five\n line 6\n line 7\n line 8\n")
        #expect(UnifiedDiff.make(from: "", to: "one\n", fromLabel: "a", toLabel: "b") == "--- a\n+++ b\n@@ -0,0 +1,1 @@\n+one\n")
    }

    @Test(
        "masking: secret-looking keys in env, ini, YAML and space-separated files, the job's secrets anywhere, secret and binary files whole"
    )
    func masking() {
        let masker = ConfigMasker(masterKey: SymmetricKey(size: .bits256), secrets: ["hunter2-value"])
        let text = """
            DB_PASSWORD=s3cret-one
            APP_ENV=production
            export API_TOKEN="abc"
            requirepass redis-pass
            api_key: yaml-key
            port = 6379
            # a comment mentioning hunter2-value
            url = postgres://app:hunter2-value@db/app
            """
        let masked = masker.masked(Data(text.utf8), size: 10, sha256: "ab", secret: false)
        for secret in ["s3cret-one", "\"abc\"", "redis-pass", "yaml-key", "hunter2-value"] {
            #expect(!masked.contains(secret), "\(masked)")
        }
        #expect(masked.contains("APP_ENV=production") && masked.contains("port = 6379"))
        #expect(masked.contains("DB_PASSWORD=****~") && masked.contains("requirepass ****~") && masked.contains("api_key: ****~"))
        #expect(masked.contains("url = postgres://app:****@db/app"))
        // The same value masks the same way; another value differently: a diff shows a secret changed.
        let again = masker.masked(Data("DB_PASSWORD=s3cret-one\n".utf8), size: 1, sha256: "x", secret: false)
        let other = masker.masked(Data("DB_PASSWORD=s3cret-two\n".utf8), size: 1, sha256: "x", secret: false)
        #expect(masked.hasPrefix(again.dropLast()) && again != other)
        #expect(masker.masked(Data("key-material".utf8), size: 12, sha256: "cd", secret: true) == "(secret file: 12 bytes, SHA-256 cd)\n")
        #expect(masker.masked(Data([0, 1, 2]), size: 3, sha256: "ef", secret: false) == "(binary file: 3 bytes, SHA-256 ef)\n")
        #expect(masker.masked(nil, size: 1 << 20, sha256: "12", secret: false).contains("not kept"))
    }

    @Test(
        "an export is a bare repository: git fsck finds it clean, git log has one commit per change with author and job, clone checks it out"
    )
    func gitExport() throws {
        var repository = GitRepository()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let states: [[String: Data]] = [
            ["etc/app/.env": Data("A=1\n".utf8)],
            ["etc/app/.env": Data("A=2\n".utf8), "etc/nginx/nginx.conf": Data("worker_processes 1;\n".utf8)],
            ["etc/nginx/nginx.conf": Data("worker_processes 1;\n".utf8), "etc/a-b": Data("x\n".utf8), "etc/a": Data("y\n".utf8)],
        ]
        for (index, files) in states.enumerated() {
            try repository.commit(
                .init(
                    authorName: "ops <evil>\nname", authorEmail: "ops@example.com", date: start.addingTimeInterval(Double(index) * 60),
                    message: "change \(index)\n\nJob: job-\(index)\n", files: files))
        }
        var archive = TarArchive(modified: start)
        for (path, content) in repository.repositoryFiles().sorted(by: { $0.key < $1.key }) {
            try archive.add(file: "config.git/" + path, content: content)
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try archive.finished().write(to: URL(fileURLWithPath: directory.path + "/export.tar"))
        let untar = try Self.run(["tar", "-xf", "export.tar"], in: directory.path)
        #expect(untar.status == 0, "\(untar.output)")
        let fsck = try Self.run(["git", "-C", "config.git", "fsck", "--strict", "--full"], in: directory.path)
        #expect(fsck.status == 0, "\(fsck.output)")
        #expect(!fsck.output.contains("error") && !fsck.output.contains("warning"), "\(fsck.output)")
        let log = try Self.run(["git", "-C", "config.git", "log", "--format=%an|%ae|%at|%s"], in: directory.path)
        #expect(
            log.output.split(separator: "\n") == [
                "ops evilname|ops@example.com|1800000120|change 2", "ops evilname|ops@example.com|1800000060|change 1",
                "ops evilname|ops@example.com|1800000000|change 0",
            ], "\(log.output)")
        let clone = try Self.run(["git", "clone", "--quiet", "config.git", "checkout"], in: directory.path)
        #expect(clone.status == 0, "\(clone.output)")
        #expect(try String(contentsOfFile: directory.path + "/checkout/etc/a-b", encoding: .utf8) == "x\n")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/checkout/etc/app/.env"))
    }
}
