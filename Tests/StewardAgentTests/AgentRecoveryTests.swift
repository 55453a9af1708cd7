import Foundation
import Logging
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardAgent

#if canImport(Glibc)
import Glibc
#endif

/// What keeps a crash or a large job from wedging the agent: process groups written down and
/// stopped after a crash, log batches under the hub's limit, and `.env` values that read back as written.
struct AgentRecoveryTests {
    /// Starts `sleep seconds` as the leader of a new process group, as the script runner does.
    static func groupLeader(sleeping seconds: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["/bin/sleep", String(seconds)]
        // The sleeper outlives `setsid`: it must not hold the test's output open.
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func exists(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }

    @Test("process groups left by a crashed run are stopped on start and reported; unrelated ones are not touched")
    func leftovers() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ledger = try ProcessLedger(directory: directory.path + "/processes", logger: Logger(label: "test"))
        // setsid forks when it is a group leader already; the sleeping child leads its own group.
        let left = try Self.groupLeader(sleeping: 7311)
        let survivor = try Self.groupLeader(sleeping: 7312)
        defer {
            for process in [left, survivor] { kill(process.processIdentifier, SIGKILL) }
            for command in ["/bin/sleep 7311", "/bin/sleep 7312"] {
                for group in ScriptGroups.leaders(of: command) { killpg(group, SIGKILL) }
            }
        }
        var leader: Int32 = 0
        try await eventually("the script leads its own group") {
            leader = ScriptGroups.leader(of: "/bin/sleep 7311") ?? 0
            return leader > 0
        }
        var other: Int32 = 0
        try await eventually("the unrelated sleeper leads its own group") {
            other = ScriptGroups.leader(of: "/bin/sleep 7312") ?? 0
            return other > 0
        }
        ledger.started(.init(jobID: "job-1", attempt: 2), group: leader)
        // A record whose leader started at another time is someone else's group by now.
        var stale = ProcessLedger.Record(jobID: "job-2", attempt: 1, processGroup: other, startTicks: 1, bootID: ProcessLedger.bootID)
        try AtomicFile.write(try JSONEncoder().encode(stale), to: directory.path + "/processes/job-2-1-\(other).json")
        stale.processGroup = 999_999_999  // and one whose group is gone altogether
        try AtomicFile.write(try JSONEncoder().encode(stale), to: directory.path + "/processes/job-3-1-1.json")

        let leftovers = await ledger.recoverLeftovers(grace: .milliseconds(200), settle: .milliseconds(100))
        #expect(leftovers.stopped == [.init(jobID: "job-1", attempt: 2)])
        #expect(leftovers.finished.isEmpty)
        try await eventually("the leftover group is gone") { !Self.exists(leader) || ScriptGroups.leader(of: "/bin/sleep 7311") == nil }
        #expect(Self.exists(other), "a group that is not provably the script's is left alone")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/processes").isEmpty)
        #expect(await ledger.recoverLeftovers(grace: .milliseconds(10), settle: .zero) == .init())
    }

    @Test("a script that ended while no agent ran leaves its exit status; the next agent reports it instead of losing it")
    func recoveredResult() async throws {
        let state = try TemporaryDirectory()
        defer { state.remove() }
        let ledger = try ProcessLedger(directory: state.path + "/processes", logger: Logger(label: "test"))
        // The runner's own wrapper, run for real: the script exits 3 and the wrapper writes it down.
        let work = state.path + "/work/job-abc"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try AtomicFile.write(Data("#!/bin/bash\nexit 3\n".utf8), to: work + "/script", mode: 0o700)
        let wrapper = Process()
        wrapper.executableURL = URL(fileURLWithPath: "/bin/sh")
        wrapper.arguments = ["-c", ScriptRunner.statusWrapper]
        wrapper.currentDirectoryURL = URL(fileURLWithPath: work)
        try wrapper.run()
        wrapper.waitUntilExit()
        #expect(wrapper.terminationStatus == 3, "the wrapper keeps the script's exit status")
        // The agent that started it died before it could report; its group is gone by now.
        ledger.started(.init(jobID: "job-9", attempt: 4), group: wrapper.processIdentifier, workDirectory: work, soleStep: true)
        let leftovers = await ledger.recoverLeftovers(grace: .milliseconds(10))
        #expect(leftovers.stopped.isEmpty)
        #expect(leftovers.finished.map(\.attempt) == [.init(jobID: "job-9", attempt: 4)])
        #expect(leftovers.finished.first?.result.exitCode == 3)
        #expect(leftovers.finished.first?.result.attempt == 4)
        #expect(!FileManager.default.fileExists(atPath: work), "the crashed run's working directory is cleared")
    }

    @Test("an agent killed between starting a script and recording its group still has it stopped by the next one")
    func killedBeforeRecording() async throws {
        let state = try TemporaryDirectory()
        defer { state.remove() }
        let ledger = try ProcessLedger(directory: state.path + "/processes", logger: Logger(label: "test"))
        let work = state.path + "/work-before"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try AtomicFile.write(Data("#!/bin/bash\nsleep 7313\n".utf8), to: work + "/script", mode: 0o700)
        let attempt = Wire.Heartbeat.AttemptRef(jobID: "job-early", attempt: 1)
        // Only the note written before the start exists: the agent died before `started`.
        ledger.starting(attempt, workDirectory: work, soleStep: true)
        let wrapper = Process()
        wrapper.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        wrapper.arguments = ["/bin/sh", "-c", ScriptRunner.statusWrapper]
        wrapper.currentDirectoryURL = URL(fileURLWithPath: work)
        wrapper.standardInput = FileHandle.nullDevice
        wrapper.standardOutput = FileHandle.nullDevice
        wrapper.standardError = FileHandle.nullDevice
        try wrapper.run()
        defer { for pid in ScriptGroups.processes(of: "sleep 7313") { killpg(getpgid(pid), SIGKILL) } }
        try await eventually("the script runs") { !ScriptGroups.processes(of: "sleep 7313").isEmpty }

        let leftovers = await ledger.recoverLeftovers(grace: .milliseconds(500), settle: .milliseconds(100))
        #expect(leftovers.stopped == [attempt])
        try await eventually("the script is gone") { ScriptGroups.processes(of: "sleep 7313").isEmpty }
    }

    @Test("log lines are sent in batches under the limit, in order, none lost")
    func batches() {
        let lines = (0..<5000).map { "line \($0) " + String(repeating: "x", count: $0 % 300) }
        let batches = LogShipper.batches(of: lines, maxBytes: 64 << 10)
        #expect(batches.count > 1)
        #expect(Array(batches.joined()) == lines)
        for batch in batches { #expect(batch.reduce(0) { $0 + $1.utf8.count + 8 } <= 64 << 10) }
        #expect(LogShipper.batches(of: []).isEmpty)
        // A single line longer than a batch still goes, alone.
        #expect(LogShipper.batches(of: [String(repeating: "y", count: 100)], maxBytes: 10) == [[String(repeating: "y", count: 100)]])
    }

    @Test(
        "env.set values read back unchanged by sh: no $, backtick or backslash is expanded",
        arguments: ["plain", "with space", "$HOME", "`id`", "back\\slash", "a\"b", "$(touch /tmp/steward-pwned)", "#hash", "x=y", "", "*"])
    func envValuesInShell(value: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var file = EnvFile(text: "KEY=old\nKEY=older\n")
        file.apply(set: ["KEY": value], remove: [])
        #expect(file.text.components(separatedBy: "\n").filter { $0.hasPrefix("KEY=") }.count == 2, "every occurrence is replaced")
        #expect(EnvFile(text: file.text).values["KEY"] == value, "the agent reads back what it wrote")
        try file.text.write(toFile: directory.path + "/.env", atomically: true, encoding: .utf8)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", #"set -a; . ./.env; printf '%s' "$KEY""#]
        shell.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        let output = Pipe()
        shell.standardOutput = output
        try shell.run()
        shell.waitUntilExit()
        #expect(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == value)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/steward-pwned"))
    }

    @Test("a value with a single quote is refused: no quoting keeps it literal for both sh and Compose")
    func singleQuote() {
        #expect(EnvFile.problem(writing: "it's") != nil)
        #expect(EnvFile.problem(writing: "fine $value") == nil)
    }
}

/// Finds the process group of a test's sleeping script by its exact command line.
enum ScriptGroups {
    static func leader(of command: String) -> Int32? {
        leaders(of: command).first
    }

    static func leaders(of command: String) -> [Int32] {
        processes(of: command).filter { getpgid($0) == $0 }
    }

    /// Every process whose command line is exactly `command`.
    static func processes(of command: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = Int32(entry),
                let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                String(decoding: raw, as: UTF8.self).split(separator: "\0").joined(separator: " ") == command
            else { return nil }
            return pid
        }
    }
}
