import Foundation
import StewardAgent
import StewardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Real `/bin/bash` children run the way jobs will run.
@Suite(.serialized)
struct ScriptRunnerTests {
    /// Collects output lines from the runner's callback.
    actor Lines {
        var all: [String] = []
        func add(_ line: String) { all.append(line) }
    }

    static func run(
        _ script: String, inputs: [String: String] = [:], secrets: [String] = [], timeout: Duration = .seconds(20),
        grace: Duration = .seconds(5)
    ) async throws -> (outcome: ScriptRunner.Outcome, lines: [String], elapsed: Duration) {
        let root = NSTemporaryDirectory() + "steward-runner-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        var request = ScriptRunner.Request(script: Data(script.utf8), inputs: inputs, secrets: secrets, timeout: timeout)
        request.killGrace = grace
        let lines = Lines()
        let start = ContinuousClock.now
        let outcome = try await ScriptRunner(workRoot: root).run(request) { await lines.add($0) }
        let elapsed = ContinuousClock.now - start
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).isEmpty, "the working directory is removed")
        return (outcome, await lines.all, elapsed)
    }

    @Test("output and errors arrive as ordered lines; outputs are read from $STEWARD_OUTPUT")
    func output() async throws {
        let (outcome, lines, _) = try await Self.run(
            """
            set -euo pipefail
            echo one
            echo two >&2
            printf 'three\\r\\n'
            printf 'no newline at the end'
            echo "admin_url=https://example.test/admin" >> "$STEWARD_OUTPUT"
            echo "Not A Name=x" >> "$STEWARD_OUTPUT"
            """)
        #expect(outcome == .init(exitCode: 0, timedOut: false, outputs: ["admin_url": "https://example.test/admin"]))
        #expect(lines == ["one", "two", "three", "no newline at the end"])
    }

    @Test("exit codes are reported as the script gave them", arguments: [0, 1, 2, 3, 42])
    func exitCodes(code: Int32) async throws {
        #expect(try await Self.run("exit \(code)").outcome.exitCode == code)
    }

    @Test("no terminal, stdin is /dev/null, a fresh working directory and a minimal environment plus the inputs")
    func nonInteractive() async throws {
        let (outcome, lines, _) = try await Self.run(
            """
            [ -t 0 ] && echo "stdin is a terminal"
            [ -t 1 ] && echo "stdout is a terminal"
            if read -r line; then echo "read: $line"; else echo "stdin at EOF"; fi
            echo "stdin: $(readlink /proc/self/fd/0)"
            echo "pwd-is-home: $([ "$PWD" = "$HOME" ] && echo yes)"
            echo "files: $(ls | tr '\\n' ' ')"
            env | cut -d= -f1 | grep -vE '^(PWD|SHLVL|_|OLDPWD)$' | sort | tr '\\n' ' '
            """, inputs: ["SERVER_NAME": "example.test"])
        #expect(outcome.exitCode == 0)
        #expect(lines.contains("stdin at EOF"))
        #expect(lines.contains("stdin: /dev/null"))
        #expect(lines.contains("pwd-is-home: yes"))
        #expect(lines.contains("files: output script "))
        #expect(!lines.contains { $0.contains("terminal") })
        #expect(lines.last == "DEBIAN_FRONTEND HOME LANG PATH SERVER_NAME STEWARD_OUTPUT ")
    }

    @Test("secret values are masked in every line and in outputs, longest first")
    func masking() async throws {
        let (outcome, lines, _) = try await Self.run(
            """
            echo "password is $DB_PASSWORD"
            echo "token=$API_TOKEN and again $DB_PASSWORD$DB_PASSWORD"
            echo "db_password=$DB_PASSWORD" >> "$STEWARD_OUTPUT"
            """, inputs: ["DB_PASSWORD": "s3cr3t", "API_TOKEN": "s3cr3t-longer"], secrets: ["s3cr3t", "s3cr3t-longer"])
        #expect(lines == ["password is ****", "token=**** and again ********"])
        #expect(outcome.outputs == ["db_password": "****"])
        #expect(!lines.joined().contains("s3cr3t"))
    }

    @Test("at the timeout the whole process group is killed, grandchildren too, and the exit code is 124")
    func timeoutKillsGrandchildren() async throws {
        let pidFile = NSTemporaryDirectory() + "steward-grandchild-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        let (outcome, _, elapsed) = try await Self.run(
            """
            sleep 7303 &
            echo $! > "$PID_FILE"
            (sleep 7304 >/dev/null 2>&1 &)
            sleep 7305
            """, inputs: ["PID_FILE": pidFile], timeout: .seconds(1))
        #expect(outcome.exitCode == ScriptRunner.timeoutExitCode)
        #expect(outcome.timedOut)
        // Killed rather than left to its two-hour sleeps; about a second alone. Beside the whole suite
        // on two cores this once took 8.07 s (CI, 2026-12-07), so the bound is generous wall time.
        #expect(elapsed < .seconds(30))
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        try await Task.sleep(for: .milliseconds(200))
        #expect(!Self.isRunning(pid), "the background sleep survived the timeout")
        #expect(Self.processes(matching: "sleep 730[345]").isEmpty, "a grandchild survived: \(Self.processes(matching: "sleep 730[345]"))")
    }

    @Test("a script that ignores SIGTERM is killed after the grace period")
    func ignoresTerm() async throws {
        let (outcome, _, elapsed) = try await Self.run(
            "trap '' TERM; echo started; sleep 7306; sleep 7306", timeout: .milliseconds(500), grace: .milliseconds(500))
        #expect(outcome.exitCode == ScriptRunner.timeoutExitCode)
        // Killed rather than left to its two-hour sleep. About a second here; the bound is wall time in
        // a test process that runs the whole suite at once on two cores, where the grace period's timer
        // itself once fired 8 s late (CI, 2026-12-07).
        #expect(elapsed < .seconds(30))
        // SIGKILL was sent; the kernel may take a moment to finish the process off on a busy machine.
        try await eventually("the sleep is killed", timeout: .seconds(2)) { Self.processes(matching: "sleep 7306").isEmpty }
    }

    @Test("at the timeout a script gets its grace period to clean up after SIGTERM")
    func cleansUpOnTerm() async throws {
        let (outcome, lines, elapsed) = try await Self.run(
            "trap 'echo cleaning; sleep 0.3; echo cleaned; exit 0' TERM; echo started; sleep 7308",
            timeout: .milliseconds(300), grace: .seconds(60))
        // bash may say between them that the sleep was terminated; that is the script's own output.
        #expect(lines.first == "started")
        #expect(lines.suffix(2) == ["cleaning", "cleaned"])
        #expect(outcome.timedOut)
        #expect(outcome.exitCode == ScriptRunner.timeoutExitCode)
        // Well under the 60 s grace period even on a loaded machine, where timers fire seconds late.
        #expect(elapsed < .seconds(30), "the run ends when the script has, not at the end of the grace period")
    }

    @Test("a script that closes its output and keeps running still meets its timeout")
    func quietAfterOutput() async throws {
        let (outcome, lines, elapsed) = try await Self.run(
            "echo bye; exec >/dev/null 2>&1; sleep 7307", timeout: .milliseconds(500), grace: .milliseconds(500))
        #expect(lines == ["bye"])
        #expect(outcome.exitCode == ScriptRunner.timeoutExitCode)
        #expect(elapsed < .seconds(30), "killed at its timeout, not left to its two-hour sleep")
        #expect(Self.processes(matching: "sleep 7307").isEmpty)
    }

    @Test("a program's own exit status is kept: the group is cleared only after it exited")
    func exitStatusNotRaced() async throws {
        let root = NSTemporaryDirectory() + "steward-runner-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let runner = ScriptRunner(workRoot: root)
        // Output ends a moment before the process is gone; killing the group then gave 137.
        for _ in 0..<100 {
            let outcome = try await runner.run(
                .init(program: .executable(path: "/bin/echo", arguments: ["hi"]), secrets: [], timeout: .seconds(10))
            ) { _ in }
            try #require(outcome.exitCode == 0)
        }
    }

    @Test("very long lines are cut into pieces instead of exhausting memory")
    func longLines() async throws {
        let (outcome, lines, _) = try await Self.run("head -c 40000 /dev/zero | tr '\\\\0' x; echo; echo done")
        #expect(outcome.exitCode == 0)
        #expect(lines.last == "done")
        #expect(lines.dropLast().map(\.count) == [16384, 16384, 7232])
    }

    /// Whether `pid` exists and is not a zombie (a killed child whose new parent has not reaped it yet).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }

    /// Command lines of live processes that are exactly `pattern` (a regular expression), such as
    /// `sleep 730[345]`. The tests sleep for odd lengths so that no other process on the machine matches.
    static func processes(matching pattern: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> String? in
            guard Int(entry) != nil, let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            let command = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
            return command.range(of: "^(\(pattern)) ?$", options: .regularExpression) != nil ? command : nil
        }
    }
}
