import Foundation
import SQLKit
import StewardCore

/// A tenant's log rule, validated by ``LogRuleService`` before it is stored.
public struct LogRuleRecord: Sendable, Equatable {
    /// What a log rule reads.
    public enum Source: String, Sendable, CaseIterable {
        case job, container
    }

    public var id: String
    public var tenantID: String
    public var name: String
    public var pattern: String
    public var sources: Set<Source>
    public var severity: FleetEventRecord.Severity
    public var selector: [String: String]
    public var enabled: Bool
    /// Why the hub turned the rule off (its pattern ran past the time budget); `nil` otherwise.
    public var disabledReason: String?
    public var createdAt: Date
    public var updatedAt: Date?

    public init(
        id: String, tenantID: String, name: String, pattern: String, sources: Set<Source>, severity: FleetEventRecord.Severity,
        selector: [String: String] = [:], createdAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.pattern = pattern
        self.sources = sources
        self.severity = severity
        self.selector = selector
        self.enabled = true
        self.createdAt = createdAt
    }

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        name = try row.decode(column: "name", as: String.self)
        pattern = try row.decode(column: "pattern", as: String.self)
        sources = Set(try row.decode(column: "sources", as: String.self).split(separator: ",").compactMap { Source(rawValue: String($0)) })
        severity = FleetEventRecord.Severity(rawValue: try row.decode(column: "severity", as: String.self)) ?? .warning
        selector = try JSONColumn.decode([String: String].self, from: try row.decode(column: "selector", as: String.self))
        enabled = try row.decode(column: "enabled", as: Bool.self)
        disabledReason = try row.decode(column: "disabled_reason", as: String?.self)
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
        updatedAt = try row.decode(column: "updated_at", as: Int64?.self).map(Millis.date)
    }

    /// Whether the rule reads the logs of a server with these labels.
    func selects(_ labels: [String: String]) -> Bool {
        selector.allSatisfy { labels[$0.key] == $0.value }
    }

    /// The sources as stored: sorted names joined by commas.
    var storedSources: String { sources.map(\.rawValue).sorted().joined(separator: ",") }

    public var wire: Wire.LogRules.Rule {
        .init(
            id: id, name: name, pattern: pattern, sources: sources.map(\.rawValue).sorted(), severity: severity.rawValue,
            selector: .init(labels: selector), enabled: enabled, disabledReason: disabledReason, createdAt: createdAt, updatedAt: updatedAt)
    }
}
