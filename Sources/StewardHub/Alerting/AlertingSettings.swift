/// How the hub watches: how often rules are evaluated, how long events are kept, and whether
/// notifications may go to private addresses.
public struct AlertingSettings: Sendable {
    /// Seconds between evaluations of the alert rules (`--alert-interval`).
    public var interval: Int
    /// Days events, resolved alerts and finished deliveries are kept (`--event-retention-days`).
    public var retentionDays: Int
    /// Whether webhooks may go to loopback, private and link-local addresses
    /// (`--allow-private-notification-targets`); off, a tenant cannot reach the hub's own network.
    public var allowPrivateTargets: Bool

    public init(interval: Int = 10, retentionDays: Int = 90, allowPrivateTargets: Bool = false) {
        self.interval = interval
        self.retentionDays = retentionDays
        self.allowPrivateTargets = allowPrivateTargets
    }

    func validate() throws(ConfigurationError) {
        guard (1...3600).contains(interval) else { throw ConfigurationError("--alert-interval must be between 1 and 3600 seconds") }
        guard (1...3650).contains(retentionDays) else { throw ConfigurationError("--event-retention-days must be between 1 and 3650") }
    }
}
