import Foundation
import StewardCore

/// Remembers which job attempts this agent has accepted, so a captured envelope cannot be played
/// again. An entry is needed only until its job's not-after time: after that the envelope is refused
/// as expired anyway, so the memory stays small. It survives restarts in the state directory.
public actor ReplayGuard {
    struct Entry: Codable, Hashable {
        var jobID: String
        var attempt: Int
        var notAfter: Int64
    }

    private let path: String
    private var entries: Set<Entry>

    /// Loads what was seen before from `path`; a missing file means nothing was.
    public init(path: String) throws {
        self.path = path
        if FileManager.default.fileExists(atPath: path) {
            do {
                entries = Set(try JSONDecoder().decode([Entry].self, from: Data(contentsOf: URL(fileURLWithPath: path))))
            } catch {
                throw AgentError(.stateUnreadable, "\(path) cannot be read (\(error)); remove it to continue")
            }
        } else {
            entries = []
        }
    }

    /// Records `envelope` as received. Returns `false` when this job attempt was received before.
    public func admit(_ envelope: Wire.JobEnvelope, now: Date) throws -> Bool {
        let entry = Entry(jobID: envelope.jobID, attempt: envelope.attempt, notAfter: envelope.notAfter)
        guard !entries.contains(where: { $0.jobID == entry.jobID && $0.attempt == entry.attempt }) else { return false }
        // Kept for as long as a skewed clock could still take the envelope.
        let cutoff = Int64(now.timeIntervalSince1970 - JobSignature.allowedClockSkew)
        entries = entries.filter { $0.notAfter >= cutoff }
        entries.insert(entry)
        // Persisted before the job runs: a crash right after cannot make the same attempt run twice.
        try AtomicFile.write(try JSONEncoder().encode(entries.sorted { $0.notAfter < $1.notAfter }), to: path, mode: 0o600)
        return true
    }

    /// How many attempts are remembered (for tests and diagnostics).
    public var count: Int { entries.count }
}
