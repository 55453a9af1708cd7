import StewardCore
import Synchronization

/// The job attempts this agent holds: running, or finished with a result the hub has not taken yet.
/// Heartbeats name exactly these, so only they keep their leases; an attempt the agent does not know
/// (one from before a restart, a claim that never arrived) runs out and is retried.
final class HeldAttempts: Sendable {
    private let attempts = Mutex<Set<Wire.Heartbeat.AttemptRef>>([])

    func hold(_ attempt: Wire.Heartbeat.AttemptRef) {
        attempts.withLock { _ = $0.insert(attempt) }
    }

    func release(_ attempt: Wire.Heartbeat.AttemptRef) {
        attempts.withLock { _ = $0.remove(attempt) }
    }

    /// What a heartbeat sends now, in a stable order.
    var current: [Wire.Heartbeat.AttemptRef] {
        attempts.withLock { $0.sorted { ($0.jobID, $0.attempt) < ($1.jobID, $1.attempt) } }
    }
}
