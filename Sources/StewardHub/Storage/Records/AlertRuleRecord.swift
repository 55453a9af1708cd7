import Foundation
import SQLKit
import StewardCore

/// A tenant's alert rule, validated by ``AlertRuleService`` before it is stored.
public struct AlertRuleRecord: Sendable, Equatable {
    public var id: String
    public var tenantID: String
    public var name: String
    public var kind: AlertKind
    /// `metric` rules: a series name (every series of it) or key (one series), the comparison and threshold.
    public var metric: String?
    public var comparison: ComparisonOperator?
    public var threshold: Double?
    /// `job` rules: the final statuses that raise an alert.
    public var statuses: [Wire.Job.Status]?
    /// `container` rules: the container states that raise an alert (``AlertKind/containerStates``).
    public var containerStates: [String]?
    public var forSeconds: Int
    public var cooldownSeconds: Int
    public var selector: [String: String]
    public var channelIDs: [String]
    public var enabled: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, tenantID: String, name: String, kind: AlertKind, metric: String? = nil, comparison: ComparisonOperator? = nil,
        threshold: Double? = nil, statuses: [Wire.Job.Status]? = nil, forSeconds: Int, cooldownSeconds: Int,
        selector: [String: String] = [:], channelIDs: [String] = [], enabled: Bool = true, createdAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.kind = kind
        self.metric = metric
        self.comparison = comparison
        self.threshold = threshold
        self.statuses = statuses
        self.forSeconds = forSeconds
        self.cooldownSeconds = cooldownSeconds
        self.selector = selector
        self.channelIDs = channelIDs
        self.enabled = enabled
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        name = try row.decode(column: "name", as: String.self)
        let kindText = try row.decode(column: "kind", as: String.self)
        guard let kind = AlertKind(rawValue: kindText) else { throw StoreError("alert rule \(id) has unknown kind \(kindText)") }
        self.kind = kind
        metric = try row.decode(column: "metric", as: String?.self)
        comparison = try row.decode(column: "operator", as: String?.self).flatMap(ComparisonOperator.init(rawValue:))
        threshold = try row.decode(column: "threshold", as: Double?.self)
        let listed = try row.decode(column: "statuses", as: String?.self).map { try JSONColumn.decode([String].self, from: $0) }
        if kind == .container {
            containerStates = listed
        } else {
            statuses = listed?.compactMap(Wire.Job.Status.init(rawValue:))
        }
        forSeconds = try row.decode(column: "for_seconds", as: Int.self)
        cooldownSeconds = try row.decode(column: "cooldown_seconds", as: Int.self)
        selector = try JSONColumn.decode([String: String].self, from: row.decode(column: "selector", as: String.self))
        channelIDs = try JSONColumn.decode([String].self, from: row.decode(column: "channel_ids", as: String.self))
        enabled = try row.decode(column: "enabled", as: Bool.self)
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
        updatedAt = Millis.date(try row.decode(column: "updated_at", as: Int64.self))
    }

    /// The `statuses` column: a job rule's statuses or a container rule's states, as JSON.
    var storedStatuses: String? {
        get throws {
            if let containerStates { return try JSONColumn.encode(containerStates) }
            return try statuses.map { try JSONColumn.encode($0.map(\.rawValue)) }
        }
    }

    /// Whether the rule watches a server with these labels.
    func selects(_ labels: [String: String]) -> Bool {
        selector.allSatisfy { labels[$0.key] == $0.value }
    }

    public var wire: Wire.Alerting.Rule {
        .init(
            id: id, name: name, kind: kind.rawValue, metric: metric, operator: comparison?.rawValue, threshold: threshold,
            statuses: containerStates ?? statuses?.map(\.rawValue), forSeconds: forSeconds, cooldownSeconds: cooldownSeconds,
            selector: .init(labels: selector), channelIDs: channelIDs, enabled: enabled, createdAt: createdAt, updatedAt: updatedAt)
    }
}
