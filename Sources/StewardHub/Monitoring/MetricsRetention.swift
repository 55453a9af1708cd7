import Foundation

/// How long metrics are kept at each resolution: raw samples 48 hours, minute roll-ups 14 days,
/// hour roll-ups 400 days, unless told otherwise (`--metrics-retention-*`).
public struct MetricsRetention: Sendable, Equatable {
    public var raw: TimeInterval = 48 * 3600
    public var minute: TimeInterval = 14 * 86_400
    public var hour: TimeInterval = 400 * 86_400

    public init(raw: TimeInterval = 48 * 3600, minute: TimeInterval = 14 * 86_400, hour: TimeInterval = 400 * 86_400) {
        self.raw = raw
        self.minute = minute
        self.hour = hour
    }

    public func keeps(_ resolution: MetricResolution) -> TimeInterval {
        switch resolution {
        case .raw: raw
        case .minute: minute
        case .hour: hour
        }
    }

    func validate() throws(ConfigurationError) {
        guard raw >= 3600, minute >= raw, hour >= minute else {
            throw ConfigurationError(
                "metrics retention: raw at least 1 hour, minute roll-ups at least as long as raw, hour roll-ups at least as long as minute")
        }
    }
}
