import Foundation
import Logging
import StewardCore

#if canImport(Glibc)
import Glibc
#endif

/// The process groups of running scripts, written down in the state directory, so that scripts never
/// outlive a crashed agent unnoticed: on start the agent stops every group its previous life left
/// behind and tells the hub which attempts those were.
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

        enum CodingKeys: String, CodingKey {
            case attempt
            case jobID = "job_id"
            case processGroup = "process_group"
            case startTicks = "start_ticks"
            case bootID = "boot_id"
        }
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

    /// Notes that `group` runs for `attempt`. Best effort: a full disk must not stop the job.
    func started(_ attempt: Wire.Heartbeat.AttemptRef, group: Int32) {
        let record = Record(
            jobID: attempt.jobID, attempt: attempt.attempt, processGroup: group, startTicks: Self.startTicks(of: group),
            bootID: Self.bootID)
        do {
            try AtomicFile.write(try JSONEncoder().encode(record), to: path(attempt, group: group), mode: 0o600)
        } catch {
            logger.warning("cannot record a script's process group", metadata: ["error": "\(error)"])
        }
    }

    /// The group is gone (the script exited and its leftovers were killed).
    func ended(_ attempt: Wire.Heartbeat.AttemptRef, group: Int32) {
        try? FileManager.default.removeItem(atPath: path(attempt, group: group))
    }

    /// Stops every recorded group still running (SIGTERM, SIGKILL after `grace`), forgets every
    /// record, and returns the attempts whose processes it stopped.
    func stopLeftovers(grace: Duration) async -> [Wire.Heartbeat.AttemptRef] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var stopped: [(Wire.Heartbeat.AttemptRef, Int32)] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            let file = directory + "/" + name
            defer { try? FileManager.default.removeItem(atPath: file) }
            guard let data = FileManager.default.contents(atPath: file), let record = try? JSONDecoder().decode(Record.self, from: data),
                record.processGroup > 1, Self.isSameGroup(record)
            else { continue }
            if killpg(record.processGroup, SIGTERM) == 0 {
                stopped.append((.init(jobID: record.jobID, attempt: record.attempt), record.processGroup))
                logger.warning(
                    "stopping a script left running by an earlier run of this agent",
                    metadata: ["job.id": "\(record.jobID)", "job.attempt": "\(record.attempt)", "process.group": "\(record.processGroup)"])
            }
        }
        guard !stopped.isEmpty else { return [] }
        try? await Task.sleep(for: grace)
        for (_, group) in stopped { _ = killpg(group, SIGKILL) }
        return stopped.map(\.0)
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
