/// What an alert rule watches.
public enum AlertKind: String, Sendable, CaseIterable {
    /// A metric series compared with a threshold, on each selected server.
    case metric
    /// A server the hub marked offline (no heartbeat for three intervals).
    case offline
    /// Jobs that ended in one of the rule's statuses.
    case job
    /// Docker containers in one of the rule's states (`exited` with a non-zero code, `dead`,
    /// `restarting`, `paused`, `unhealthy`, `oom_killed`).
    case container
    /// An installed app that can be backed up and has had no successful backup (any kind) for
    /// `threshold` hours (counted from its install when it never had one).
    case backup

    /// The states a `container` rule may watch, and what it watches when given none.
    static let containerStates = ["dead", "exited", "oom_killed", "paused", "restarting", "unhealthy"]
    static let defaultContainerStates = ["dead", "exited", "oom_killed", "restarting", "unhealthy"]
}

/// How a `metric` rule compares the latest value with its threshold.
public enum ComparisonOperator: String, Sendable, CaseIterable {
    case greater = ">"
    case greaterOrEqual = ">="
    case less = "<"
    case lessOrEqual = "<="

    func holds(_ value: Double, _ threshold: Double) -> Bool {
        switch self {
        case .greater: value > threshold
        case .greaterOrEqual: value >= threshold
        case .less: value < threshold
        case .lessOrEqual: value <= threshold
        }
    }
}

/// Where an alert is in its life. `pending` while the condition has not yet held for the rule's
/// `for_seconds` (dropped if it clears); `firing` and `acknowledged` until it clears, then `resolved`.
public enum AlertState: String, Sendable, CaseIterable {
    case pending, firing, acknowledged, resolved

    static let open: Set<AlertState> = [.pending, .firing, .acknowledged]
}
