import Foundation

/// A token bucket per key (a source address): `capacity` requests at once, refilled at `capacity` per `period`.
package actor RateLimiter {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let capacity: Double
    private let refillPerSecond: Double
    private var buckets: [String: Bucket] = [:]
    /// The table never holds more keys than this: keys are often a client's choice (an e-mail).
    private let maxKeys: Int

    package init(capacity: Int, period: TimeInterval, maxKeys: Int = 10_000) {
        self.capacity = Double(capacity)
        self.refillPerSecond = Double(capacity) / period
        self.maxKeys = maxKeys
    }

    /// Takes one token for `key`. Returns `nil` when allowed, or the seconds to wait when not.
    package func acquire(_ key: String, now: Date) -> Int? {
        var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
        bucket.tokens = min(capacity, bucket.tokens + now.timeIntervalSince(bucket.updated) * refillPerSecond)
        bucket.updated = now
        defer {
            buckets[key] = bucket
            if buckets.count > maxKeys { forgetFull(now: now) }
        }
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            return nil
        }
        return Int(((1 - bucket.tokens) / refillPerSecond).rounded(.up))
    }

    /// Drops buckets that have refilled completely: they behave exactly like absent ones. If the table
    /// is still full (a flood of distinct keys), the least recently used half goes too.
    private func forgetFull(now: Date) {
        buckets = buckets.filter { _, bucket in
            bucket.tokens + now.timeIntervalSince(bucket.updated) * refillPerSecond < capacity
        }
        if buckets.count > maxKeys {
            let keep = buckets.sorted { $0.value.updated > $1.value.updated }.prefix(maxKeys / 2)
            buckets = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }

    /// How many keys are remembered (for tests).
    var count: Int { buckets.count }
}
