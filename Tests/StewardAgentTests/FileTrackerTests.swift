import Crypto
import Foundation
import StewardCore
import Testing

@testable import StewardAgent

/// What the agent reports for config history: the file a write left, an app's declared files after
/// its script, and drift check reads, each under its policy rule.
struct FileTrackerTests {
    typealias Sandbox = StepExecutorTests.Sandbox

    static func sha(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    @Test("a write reports what it left; without a mode an existing file keeps its mode")
    func writes() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = sandbox.root + "/app.conf"
        try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o640)
        let (outcome, _) = await sandbox.run(
            StepExecutorTests.step(.fileWrite) {
                $0.path = path
                $0.content = Data("new\n".utf8).base64EncodedString()
            })
        #expect(outcome.result.exitCode == 0, "\(outcome.result)")
        #expect(
            outcome.result.files == [
                .init(path: path, exists: true, sha256: Self.sha("new\n"), size: 4, content: Data("new\n".utf8).base64EncodedString())
            ])
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o640)
        let (env, _) = await sandbox.run(
            StepExecutorTests.step(.envSet) {
                $0.path = sandbox.root + "/.env"
                $0.set = ["DB_PASSWORD": "x"]
            })
        #expect(env.result.files?.first?.sha256 == Self.sha("DB_PASSWORD=x\n"))
        // The job's masked results carry no content.
        #expect(env.result.masked.files?.first?.content == nil && env.result.masked.files?.first?.size == 14)
    }

    @Test("a drift check reports each file: changed, missing, a folder, one outside the roots; an app's files follow the script rule")
    func checks() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try "port 80\n".write(toFile: sandbox.root + "/a.conf", atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: sandbox.root + "/dir", withIntermediateDirectories: true)
        let check = StepExecutorTests.step(.configCheck) {
            $0.paths = [sandbox.root + "/a.conf", sandbox.root + "/gone.conf", sandbox.root + "/dir", "/etc/hostname"]
        }
        #expect(sandbox.policy.refusal(of: check) == nil)
        let (outcome, _) = await sandbox.run(check)
        let files = try #require(outcome.result.files)
        #expect(outcome.result.exitCode == 0)
        #expect(files[0].exists && files[0].sha256 == Self.sha("port 80\n") && files[0].error == nil)
        #expect(!files[1].exists && files[1].error == nil)
        #expect(files[2].error == "is not a regular file")
        #expect(files[3].error?.contains("not under") == true || files[3].error?.contains("root") == true, "\(files[3])")
        #expect(files[3].content == nil && files[3].sha256 == nil)

        // An app's declared file: read where its scripts may run, unless script digests are pinned.
        var app = check
        app.app = "redis"
        app.paths = ["/etc/hostname"]
        #expect(FileTracker(policy: sandbox.policy).state(of: "/etc/hostname", app: "redis").error == nil)
        var pinned = sandbox.policy
        pinned.scriptDigests = [String(repeating: "a", count: 64)]
        #expect(FileTracker(policy: pinned).state(of: "/etc/hostname", app: "redis").error?.isEmpty == false)
        var onlyNginx = sandbox.policy
        onlyNginx.apps = ["nginx"]
        #expect(onlyNginx.refusal(of: app)?.contains("redis") == true)
        var noFiles = AgentPolicy()
        noFiles.apps = nil
        #expect(noFiles.refusal(of: check) == "this agent's policy allows no file steps")
        #expect(noFiles.refusal(of: app) == nil)
    }
}
