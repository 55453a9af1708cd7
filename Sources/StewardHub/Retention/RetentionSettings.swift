import Foundation

/// How long the hub keeps what it no longer needs (`--job-retention-days`, `--log-retention-days`,
/// `--audit-retention-days`): finished jobs, the logs of finished jobs, and audit entries. Expired
/// console sessions go a day after they expire. Events, alerts and deliveries have
/// `--event-retention-days` (``AlertingSettings``), metrics ``MetricsRetention``.
public struct RetentionSettings: Sendable, Equatable {
    public var jobDays: Int
    public var logDays: Int
    public var auditDays: Int

    public init(jobDays: Int = 400, logDays: Int = 90, auditDays: Int = 400) {
        self.jobDays = jobDays
        self.logDays = logDays
        self.auditDays = auditDays
    }

    func validate() throws(ConfigurationError) {
        for (flag, days) in [("--job-retention-days", jobDays), ("--log-retention-days", logDays), ("--audit-retention-days", auditDays)]
        where !(1...36_500).contains(days) {
            throw ConfigurationError("\(flag) must be between 1 and 36500")
        }
        guard logDays <= jobDays else {
            throw ConfigurationError("--log-retention-days must not be longer than --job-retention-days: a log goes with its job")
        }
    }
}
