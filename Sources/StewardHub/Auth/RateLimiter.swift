import Foundation

/// A token bucket per key (a source address): `capacity` requests at once, refilled at `capacity` per `period`.
actor RateLimiter {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let capacity: Double
    private let refillPerSecond: Double
    private var buckets: [String: Bucket] = [:]

    init(capacity: Int, period: TimeInterval) {
        self.capacity = Double(capacity)
        self.refillPerSecond = Double(capacity) / period
    }

    /// Takes one token for `key`. Returns `nil` when allowed, or the seconds to wait when not.
    func acquire(_ key: String, now: Date) -> Int? {
        var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
        bucket.tokens = min(capacity, bucket.tokens + now.timeIntervalSince(bucket.updated) * refillPerSecond)
        bucket.updated = now
        defer {
            buckets[key] = bucket
            if buckets.count > 10_000 { forgetFull(now: now) }
        }
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            return nil
        }
        return Int(((1 - bucket.tokens) / refillPerSecond).rounded(.up))
    }

    /// Drops buckets that have refilled completely: they behave exactly like absent ones.
    private func forgetFull(now: Date) {
        buckets = buckets.filter { _, bucket in
            bucket.tokens + now.timeIntervalSince(bucket.updated) * refillPerSecond < capacity
        }
    }
}
