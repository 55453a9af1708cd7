import Foundation
import StewardHub
import Synchronization

/// A clock that moves only when a test says so: leases, backoff, rate limits and session expiry are
/// tested by moving it, not by sleeping.
public final class ManualClock: Sendable {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    public var now: Date { current.withLock { $0 } }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// The hub's view of this clock.
    public var hubClock: HubClock { HubClock { [self] in now } }
}
