import Foundation
import Logging
import StewardCore

#if canImport(Glibc)
import Glibc
#endif

/// The process groups of running scripts, written down in the state directory, so that scripts never
/// outlive a crashed agent unnoticed: on start the agent stops every group its previous life left
/// behind and tells the hub which attempts those were. A script that ended on its own while no agent
/// ran left its exit status in its working directory: that result is recovered, not run again.
///
/// A group is stopped only when it is provably the one recorded: same boot, and its leader either
/// still alive with the recorded start time or gone (a process id is not reused while its group has
/// members, so members of a leaderless group with that id are the script's).
struct ProcessLedger: Sendable {
    struct Record: Codable, Sendable, Equatable {
        var jobID: String
        var attempt: Int
        var processGroup: Int32
        /// The leader's start time in clock ticks since boot (`/proc/PID/stat`, field 22).
        var startTicks: UInt64?
        var bootID: String?
        /// Where the program runs; a script writes its exit status there when it ends.
        var workDirectory: String?
        /// Whether the program is the job's only step, so that its exit status is the job's result.
        var soleStep: Bool?

        enum CodingKeys: String, CodingKey {
            case attempt
            case jobID = "job_id"
            case processGroup = "process_group"
            case startTicks = "start_ticks"
            case bootID = "boot_id"
            case workDirectory = "work_directory"
            case soleStep = "sole_step"
        }
    }

    /// What an earlier run of the agent left behind.
    struct Leftovers: Sendable, Equatable {
        /// A sole script that ended while no agent ran, and how it ended.
        struct Finished: Sendable, Equatable {
            var attempt: Wire.Heartbeat.AttemptRef
            var result: Wire.Job.Result
        }

        /// Attempts whose processes were still running and have been stopped: lost.
        var stopped: [Wire.Heartbeat.AttemptRef] = []
        var finished: [Finished] = []
    }

    let directory: String
    let logger: Logger

    init(directory: String, logger: Logger) throws {
        try AtomicFile.makeDirectory(directory)
        self.directory = directory
        self.logger = logger
    }

    private func path(_ attempt: Wire.Heartbeat.AttemptRef, group: Int32) -> String {
        directory + "/\(attempt.jobID)-\(attempt.attempt)-\(group).json"
    }

    /// Notes, just before a program starts, that `attempt` is about to run in `workDirectory`: should
    /// the agent die before `started`, the next one finds the group by its working directory.
    func starting(_ attempt: Wire.Heartbeat.AttemptRef, workDirectory: String, soleStep: Bool) {
        let record = Record(
            jobID: attempt.jobID, attempt: attempt.attempt, processGroup: 0, startTicks: nil, bootID: Self.bootID,
            workDirectory: workDirectory, soleStep: soleStep)
        try? AtomicFile.write(try JSONEncoder().encode(record), to: path(attempt, group: 0), mode: 0o600)
    }

    /// Notes that `group` runs for `attempt` in `workDirectory`. Best effort: a full disk must not stop the job.
    func started(_ attempt: Wire.Heartbeat.AttemptRef, group: Int32, workDirectory: String? = nil, soleStep: Bool = false) {
        let record = Record(
            jobID: attempt.jobID, attempt: attempt.attempt, processGroup: group, startTicks: Self.startTicks(of: group),
            bootID: Self.bootID, workDirectory: workDirectory, soleStep: soleStep)
        do {
            try AtomicFile.write(try JSONEncoder().encode(record), to: path(attempt, group: group), mode: 0o600)
        } catch {
            logger.warning("cannot record a script's process group", metadata: ["error": "\(error)"])
        }
        try? FileManager.default.removeItem(atPath: path(attempt, group: 0))
    }

    /// The group is gone (the script exited and its leftovers were killed).
    func ended(_ attempt: Wire.Heartbeat.AttemptRef, group: Int32) {
        try? FileManager.default.removeItem(atPath: path(attempt, group: group))
        try? FileManager.default.removeItem(atPath: path(attempt, group: 0))
    }

    /// Recovers the results of sole scripts that ended while no agent ran; gives the groups still
    /// running `settle` to end by themselves (a script a moment from its end is not cut off), then
    /// stops the rest (SIGTERM, SIGKILL after `grace`); removes the old working directories and
    /// forgets every record.
    func recoverLeftovers(grace: Duration, settle: Duration = .seconds(1)) async -> Leftovers {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var records = names.sorted().filter { $0.hasSuffix(".json") }.compactMap { name -> Record? in
            let file = directory + "/" + name
            defer { try? FileManager.default.removeItem(atPath: file) }
            guard let data = FileManager.default.contents(atPath: file),
                var record = try? JSONDecoder().decode(Record.self, from: data)
            else { return nil }
            if record.processGroup == 0 {
                // Written just before the start: the group, if it runs, is the one working in that directory.
                guard let work = record.workDirectory else { return nil }
                if let group = Self.group(workingIn: work) {
                    record.processGroup = group
                    record.startTicks = Self.startTicks(of: group)
                }
            }
            return record
        }
        // Two notes of one attempt (the group found both ways) are one.
        var seen: Set<String> = []
        records = records.filter { seen.insert("\($0.jobID)/\($0.attempt)/\($0.processGroup)").inserted }
        var running = records.filter { $0.processGroup > 1 && Self.isSameGroup($0) && killpg($0.processGroup, 0) == 0 }
        let settleDeadline = ContinuousClock.now + settle
        while !running.isEmpty, ContinuousClock.now < settleDeadline {
            try? await Task.sleep(for: .milliseconds(50))
            running.removeAll { killpg($0.processGroup, 0) != 0 }
        }
        var leftovers = Leftovers()
        for record in running where killpg(record.processGroup, SIGTERM) == 0 {
            leftovers.stopped.append(.init(jobID: record.jobID, attempt: record.attempt))
            logger.warning(
                "stopping a script left running by an earlier run of this agent",
                metadata: ["job.id": "\(record.jobID)", "job.attempt": "\(record.attempt)", "process.group": "\(record.processGroup)"])
        }
        let stopped = Set(leftovers.stopped)
        for record in records where !stopped.contains(.init(jobID: record.jobID, attempt: record.attempt)) {
            guard record.soleStep == true, let work = record.workDirectory, let code = Self.exitStatus(in: work) else { continue }
            logger.warning(
                "a script ended while this agent was not running; reporting its exit status",
                metadata: ["job.id": "\(record.jobID)", "job.attempt": "\(record.attempt)", "job.exit_code": "\(code)"])
            var step = Wire.Job.StepResult(index: 0, type: .script, exitCode: code)
            step.error = code == 0 ? nil : "exit status \(code)"
            // Outputs are not taken: the agent that knew which values to mask is gone.
            leftovers.finished.append(
                .init(
                    attempt: .init(jobID: record.jobID, attempt: record.attempt),
                    result: Wire.Job.Result(attempt: record.attempt, exitCode: code, steps: [step])))
        }
        if !leftovers.stopped.isEmpty {
            try? await Task.sleep(for: grace)
            for record in running { _ = killpg(record.processGroup, SIGKILL) }
        }
        // Working directories are removed only inside the agent's state directory, whatever a record says.
        let stateDirectory = (directory as NSString).deletingLastPathComponent + "/"
        for work in records.compactMap(\.workDirectory) where work.hasPrefix(stateDirectory) && !work.contains("/../") {
            try? FileManager.default.removeItem(atPath: work)
        }
        return leftovers
    }

    /// The process group of a process whose working directory is `workDirectory` (the script's
    /// wrapper stays there), if one runs.
    static func group(workingIn workDirectory: String) -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd"), cwd == workDirectory
            else { continue }
            let group = getpgid(pid)
            if group > 1 { return group }
        }
        return nil
    }

    /// The exit status a script's wrapper wrote in `workDirectory`, if it ended.
    static func exitStatus(in workDirectory: String) -> Int? {
        guard let text = try? String(contentsOfFile: workDirectory + "/" + ScriptRunner.exitStatusFile, encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Whether the recorded group can only be the script's (see the type's comment).
    static func isSameGroup(_ record: Record) -> Bool {
        if let recorded = record.bootID, let now = bootID, recorded != now { return false }
        guard let ticks = startTicks(of: record.processGroup) else { return true }  // the leader is gone
        return ticks == record.startTicks
    }

    /// Field 22 of `/proc/PID/stat`: when the process started, in clock ticks since boot.
    static func startTicks(of pid: Int32) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // After the command name (which may hold spaces and parentheses) come fields 3, 4, …
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }

    static var bootID: String? {
        (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
