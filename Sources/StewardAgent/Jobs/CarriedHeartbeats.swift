import StewardCore
import Synchronization

/// When a long poll last carried a heartbeat to the hub, and the interval the hub asks for.
///
/// Every poll's body is a heartbeat, taken by the hub before it waits, and a poll waits at most one
/// interval: an idle agent's polls are its heartbeats, and it needs one connection to the hub, not
/// two. The heartbeat loop sends its own only when no poll has carried one for a while: while a
/// job runs, before the first poll (the hello), and when facts change.
final class CarriedHeartbeats: Sendable {
    private struct State {
        var interval: Int
        var lastCarried: ContinuousClock.Instant?
    }

    private let state: Mutex<State>

    init(interval: Int) {
        state = Mutex(State(interval: max(1, interval)))
    }

    /// The heartbeat interval the hub asked for last, in seconds.
    var interval: Int {
        get { state.withLock { $0.interval } }
        set { state.withLock { $0.interval = max(1, newValue) } }
    }

    /// How long a poll may wait: its heartbeat must be renewed within an interval.
    var pollWait: Int { min(30, interval) }

    /// A poll carrying a heartbeat is being sent at `instant`.
    func sending(at instant: ContinuousClock.Instant) {
        state.withLock { $0.lastCarried = max($0.lastCarried ?? instant, instant) }
    }

    /// The poll sent at `instant` failed: its heartbeat may never have reached the hub.
    func failed(sentAt instant: ContinuousClock.Instant) {
        state.withLock { if $0.lastCarried == instant { $0.lastCarried = nil } }
    }

    /// When the heartbeat loop must send one of its own, unless a poll carries one before: one and a
    /// half intervals after the last poll that carried one, which leaves a poll that follows another
    /// at the end of its wait time to start, and stays well inside the three intervals after which
    /// the hub takes the server for offline.
    func ownHeartbeatDue(now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        state.withLock { state in
            guard let last = state.lastCarried else { return now }
            return last + .milliseconds(state.interval * 1500)
        }
    }
}
