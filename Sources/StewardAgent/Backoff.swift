/// Exponential backoff with full jitter: the n-th retry waits a random time between 0 and
/// min(cap, base · 2ⁿ), so agents that lost their hub together do not return in lockstep.
public struct Backoff: Sendable {
    public var base: Double
    public var cap: Double
    public private(set) var attempt = 0

    public init(base: Double = 1, cap: Double = 60) {
        self.base = base
        self.cap = cap
    }

    /// The ceiling of the next delay, before jitter.
    public var ceiling: Double { min(cap, base * Double(1 << min(attempt, 30))) }

    /// The delay before the next attempt, in seconds; each call moves one step further.
    public mutating func nextDelay() -> Double {
        let delay = Double.random(in: 0...ceiling)
        attempt += 1
        return delay
    }

    public mutating func reset() {
        attempt = 0
    }
}
