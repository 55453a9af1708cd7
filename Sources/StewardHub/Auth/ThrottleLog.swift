import Foundation

/// Decides which throttled sign-ins are written to the audit log: the first per key in each window,
/// carrying how many were left out since the last one written. A flood of refused attempts so costs
/// one row per key and window instead of one each (every row takes the database's write lock).
actor ThrottleLog {
    private struct Window {
        var start: Date
        var suppressed: Int
    }

    private let period: TimeInterval
    private let maxKeys: Int
    private var windows: [String: Window] = [:]

    init(period: TimeInterval, maxKeys: Int = 10_000) {
        self.period = period
        self.maxKeys = maxKeys
    }

    /// `nil` when this attempt is not to be audited; otherwise how many were left out before it.
    func record(_ key: String, now: Date) -> Int? {
        if var window = windows[key], now.timeIntervalSince(window.start) < period {
            window.suppressed += 1
            windows[key] = window
            return nil
        }
        let suppressed = windows[key]?.suppressed ?? 0
        windows[key] = Window(start: now, suppressed: 0)
        if windows.count > maxKeys { forgetOld(now: now) }
        return suppressed
    }

    /// Drops ended windows, then, if the table is still full, the oldest half.
    private func forgetOld(now: Date) {
        windows = windows.filter { now.timeIntervalSince($0.value.start) < period }
        if windows.count > maxKeys {
            let keep = windows.sorted { $0.value.start > $1.value.start }.prefix(maxKeys / 2)
            windows = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }
}
