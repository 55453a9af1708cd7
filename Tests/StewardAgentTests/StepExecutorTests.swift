import Foundation
import StewardCore
import Testing

@testable import StewardAgent

#if canImport(Glibc)
import Glibc
#endif

/// File, env, shell and service steps against real files and real child processes, and the policy
/// that decides which may run at all.
struct StepExecutorTests {
    /// A root directory for file steps, with a policy that allows it and `/bin/echo hello <word>`.
    struct Sandbox {
        let root: String
        let work: String
        let policy: AgentPolicy

        init() throws {
            let base = NSTemporaryDirectory() + "steward-steps-" + UUID().uuidString
            root = base + "/root"
            work = base + "/work"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            var policy = AgentPolicy()
            policy.files = .init(roots: [root], maxBytes: 256)
            policy.shell = [.init(command: "/bin/echo", arguments: ["^hello$", "^[a-z]+$"]), .init(command: "/bin/false", arguments: [])]
            policy.services = .init(units: ["nginx.service"], composeDirectories: ["/srv/app"])
            self.policy = policy
        }

        func remove() {
            try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent)
        }

        func run(_ step: Wire.Job.Step, secrets: [String] = []) async -> (StepExecutor.Outcome, [String]) {
            let lines = ScriptRunnerTests.Lines()
            let context = StepExecutor.Context(
                environment: [:], secrets: secrets, deadline: .now + .seconds(20), stop: StopSignal(),
                onLine: { await lines.add($0) })
            let outcome = await StepExecutor(policy: policy, runner: ScriptRunner(workRoot: work)).run(step, index: 0, context: context)
            return (outcome, await lines.all)
        }
    }

    static func step(_ type: Wire.Job.Step.Kind, _ configure: (inout Wire.Job.Step) -> Void) -> Wire.Job.Step {
        var step = Wire.Job.Step(type: type)
        configure(&step)
        return step
    }

    @Test("file steps stay inside their roots: traversal, symbolic links out, links as targets and other places are refused")
    func pathRefusals() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try FileManager.default.createSymbolicLink(atPath: sandbox.root + "/etc-link", withDestinationPath: "/etc")
        try FileManager.default.createSymbolicLink(atPath: sandbox.root + "/hostname", withDestinationPath: "/etc/hostname")
        let traversal = Self.step(.fileRead) { $0.path = sandbox.root + "/../../etc/passwd" }
        #expect(StepCheck.problems(traversal, index: 0).map(\.field) == ["steps[0].path"])
        #expect(sandbox.policy.refusal(of: traversal)?.contains("normalised") == true)
        let throughLink = Self.step(.fileWrite) { $0.path = sandbox.root + "/etc-link/cron.d/evil" }
        #expect(sandbox.policy.refusal(of: throughLink)?.contains("through a symbolic link") == true)
        let linkTarget = Self.step(.fileRead) { $0.path = sandbox.root + "/hostname" }
        #expect(sandbox.policy.refusal(of: linkTarget)?.contains("is a symbolic link") == true)
        let elsewhere = Self.step(.envSet) { $0.path = "/etc/environment" }
        #expect(sandbox.policy.refusal(of: elsewhere)?.contains("outside") == true)
        let prefixTrick = Self.step(.fileRead) { $0.path = sandbox.root + "-other/file" }
        #expect(sandbox.policy.refusal(of: prefixTrick)?.contains("outside") == true)
        #expect(sandbox.policy.refusal(of: Self.step(.fileWrite) { $0.path = sandbox.root + "/app.conf" }) == nil)
        // Without a policy, no file step runs at all.
        #expect(AgentPolicy().refusal(of: Self.step(.fileRead) { $0.path = sandbox.root + "/app.conf" }) != nil)
    }

    @Test("shell steps: only allow-listed commands with matching arguments, never metacharacters")
    func shellRefusals() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        func shell(_ command: String, _ arguments: [String]) -> Wire.Job.Step {
            Self.step(.shell) {
                $0.command = command
                $0.arguments = arguments
            }
        }
        #expect(sandbox.policy.refusal(of: shell("/bin/echo", ["hello", "world"])) == nil)
        #expect(sandbox.policy.refusal(of: shell("/bin/rm", ["-rf", "/"]))?.contains("allow-list") == true)
        #expect(sandbox.policy.refusal(of: shell("/bin/echo", ["hello", "world;reboot"]))?.contains("metacharacters") == true)
        #expect(sandbox.policy.refusal(of: shell("/bin/echo", ["hello", "$(id)"]))?.contains("metacharacters") == true)
        #expect(sandbox.policy.refusal(of: shell("/bin/echo", ["hello", "World"]))?.contains("do not match") == true)
        #expect(sandbox.policy.refusal(of: shell("/bin/echo", ["hello"]))?.contains("do not match") == true)
        #expect(StepCheck.problems(shell("echo", ["a|b"]), index: 2).map(\.field) == ["steps[2].command", "steps[2].arguments[0]"])
        let unit = Self.step(.service) {
            $0.action = "restart"
            $0.unit = "ssh.service"
        }
        #expect(sandbox.policy.refusal(of: unit)?.contains("not allowed") == true)
    }

    @Test("env keys must be upper-case names; values one line")
    func envKeys() {
        let step = Self.step(.envSet) {
            $0.path = "/srv/app/.env"
            $0.set = ["db_password": "x", "GOOD": "a\nb", "1BAD": "y"]
            $0.remove = ["also-bad"]
        }
        let fields = StepCheck.problems(step, index: 0).map(\.field)
        #expect(fields.contains("steps[0].set.db_password"))
        #expect(fields.contains("steps[0].set.1BAD"))
        #expect(fields.contains("steps[0].set.also-bad"))
        #expect(fields.contains("steps[0].set.GOOD"))
    }

    @Test("file.write is atomic with its mode; file.read returns content and says when it truncated")
    func files() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = sandbox.root + "/app.conf"
        let (written, _) = await sandbox.run(
            Self.step(.fileWrite) {
                $0.path = path
                $0.content = Data("listen 8080\n".utf8).base64EncodedString()
                $0.mode = "0640"
            })
        #expect(written.result.exitCode == 0, "\(written.result)")
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o640)
        let (read, _) = await sandbox.run(Self.step(.fileRead) { $0.path = path })
        #expect(read.result.content == "listen 8080\n" && read.result.truncated == false && read.result.contentEncoding == "utf-8")
        let (partial, _) = await sandbox.run(
            Self.step(.fileRead) {
                $0.path = path
                $0.maxBytes = 6
            })
        #expect(partial.result.content == "listen" && partial.result.truncated == true)
        let (tooBig, _) = await sandbox.run(
            Self.step(.fileWrite) {
                $0.path = sandbox.root + "/big"
                $0.content = Data(repeating: 65, count: 257).base64EncodedString()
            })
        #expect(tooBig.result.exitCode == 1 && tooBig.result.error?.contains("limit") == true)
        #expect(!FileManager.default.fileExists(atPath: sandbox.root + "/big"))
        let (missing, _) = await sandbox.run(Self.step(.fileRead) { $0.path = sandbox.root + "/nope" })
        #expect(missing.result.exitCode == 1 && missing.result.error?.contains("No such file") == true)
    }

    @Test("env.set merges keys into a .env file, keeping the rest; env.read masks secret-looking values unless revealed")
    func envFiles() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = sandbox.root + "/.env"
        try "# app settings\nAPP_NAME=shop\nOLD=1\nDB_PASSWORD=old\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o640)
        let (set, _) = await sandbox.run(
            Self.step(.envSet) {
                $0.path = path
                $0.set = ["DB_PASSWORD": "n3w \"pass\"", "PORT": "8080"]
                $0.remove = ["OLD"]
            })
        #expect(set.result.exitCode == 0, "\(set.result)")
        #expect(
            try String(contentsOfFile: path, encoding: .utf8)
                == "# app settings\nAPP_NAME=shop\nDB_PASSWORD='n3w \"pass\"'\nPORT=8080\n")
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o640, "the file keeps its mode")
        let (read, _) = await sandbox.run(Self.step(.envRead) { $0.path = path })
        #expect(read.result.values == ["APP_NAME": "shop", "DB_PASSWORD": "****", "PORT": "8080"])
        let (revealed, _) = await sandbox.run(
            Self.step(.envRead) {
                $0.path = path
                $0.keys = ["DB_PASSWORD"]
                $0.reveal = true
            })
        #expect(revealed.result.values == ["DB_PASSWORD": "n3w \"pass\""])
        // A file over the limit is refused rather than half read.
        try String(repeating: "A=1\n", count: 100).write(toFile: path, atomically: true, encoding: .utf8)
        let (tooBig, _) = await sandbox.run(Self.step(.envRead) { $0.path = path })
        #expect(tooBig.result.exitCode == 1 && tooBig.result.values == nil)
    }

    @Test("a shell step runs its program without a shell and streams its output")
    func shell() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let (echo, lines) = await sandbox.run(
            Self.step(.shell) {
                $0.command = "/bin/echo"
                $0.arguments = ["hello", "world"]
            })
        #expect(echo.result.exitCode == 0)
        #expect(lines == ["hello world"])
        let (failing, _) = await sandbox.run(
            Self.step(.shell) {
                $0.command = "/bin/false"
                $0.arguments = []
            })
        #expect(failing.result.exitCode == 1)
    }

    @Test("a policy file is read from YAML, and every mistake in it is reported")
    func policyFile() throws {
        let directory = NSTemporaryDirectory() + "steward-policy-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let good = directory + "/good.yml"
        try """
        apps: [nginx]
        files: { roots: [/srv/app], max_bytes: 4096 }
        shell:
          - command: /usr/bin/systemctl
            arguments: ["^status$", "^[a-z0-9@._-]+\\\\.service$"]
        services: { units: [nginx.service], compose_directories: [/srv/app] }
        """.write(toFile: good, atomically: true, encoding: .utf8)
        let policy = try AgentPolicy.load(path: good)
        #expect(policy.apps == ["nginx"] && policy.files?.maxBytes == 4096)
        let status = Self.step(.shell) {
            $0.command = "/usr/bin/systemctl"
            $0.arguments = ["status", "nginx.service"]
        }
        #expect(policy.refusal(of: status) == nil)
        let script = Self.step(.script) { $0.app = "redis" }
        #expect(policy.refusal(of: script)?.contains("redis") == true)

        let bad = directory + "/bad.yml"
        try "files: { roots: [relative, /] }\nshell: [{ command: echo, arguments: [\"(\"] }]\n".write(
            toFile: bad, atomically: true, encoding: .utf8)
        #expect {
            try AgentPolicy.load(path: bad)
        } throws: { error in
            let message = "\(error)"
            return message.contains("files.roots[0]") && message.contains("files.roots[1]") && message.contains("shell[0].command")
                && message.contains("shell[0].arguments[0]")
        }
    }
}
