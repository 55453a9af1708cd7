import Foundation
import SQLKit
import StewardCore

/// One incident of a rule on a server (and subject), from the moment its condition first held.
public struct AlertRecord: Sendable, Equatable {
    public var id: String
    public var tenantID: String
    public var ruleID: String
    /// The rule's name when the alert was raised, kept for history after the rule is gone.
    public var ruleName: String
    public var kind: AlertKind
    public var serverID: String
    public var serverName: String
    /// What on the server: a series key for `metric` rules, a job id for `job` rules, empty otherwise.
    public var subject: String
    public var state: AlertState
    public var value: Double?
    public var summary: String
    public var startedAt: Date
    public var firedAt: Date?
    public var acknowledgedAt: Date?
    public var acknowledgedBy: String?
    public var resolvedAt: Date?
    /// When channels were told it fired; `nil` when the rule's cooldown kept them quiet.
    public var notifiedAt: Date?

    public init(
        id: String, tenantID: String, ruleID: String, ruleName: String, kind: AlertKind, serverID: String, serverName: String,
        subject: String, state: AlertState, value: Double?, summary: String, startedAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.ruleID = ruleID
        self.ruleName = ruleName
        self.kind = kind
        self.serverID = serverID
        self.serverName = serverName
        self.subject = subject
        self.state = state
        self.value = value
        self.summary = summary
        self.startedAt = startedAt
    }

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        ruleID = try row.decode(column: "rule_id", as: String.self)
        ruleName = try row.decode(column: "rule_name", as: String.self)
        let kindText = try row.decode(column: "kind", as: String.self)
        guard let kind = AlertKind(rawValue: kindText) else { throw StoreError("alert \(id) has unknown kind \(kindText)") }
        self.kind = kind
        serverID = try row.decode(column: "server_id", as: String.self)
        serverName = try row.decode(column: "server_name", as: String?.self) ?? serverID
        subject = try row.decode(column: "subject", as: String.self)
        let stateText = try row.decode(column: "state", as: String.self)
        guard let state = AlertState(rawValue: stateText) else { throw StoreError("alert \(id) has unknown state \(stateText)") }
        self.state = state
        value = try row.decode(column: "value", as: Double?.self)
        summary = try row.decode(column: "summary", as: String.self)
        startedAt = Millis.date(try row.decode(column: "started_at", as: Int64.self))
        firedAt = try row.decode(column: "fired_at", as: Int64?.self).map(Millis.date)
        acknowledgedAt = try row.decode(column: "acknowledged_at", as: Int64?.self).map(Millis.date)
        acknowledgedBy = try row.decode(column: "acknowledged_by", as: String?.self)
        resolvedAt = try row.decode(column: "resolved_at", as: Int64?.self).map(Millis.date)
        notifiedAt = try row.decode(column: "notified_at", as: Int64?.self).map(Millis.date)
    }

    public var wire: Wire.Alerting.Alert {
        .init(
            id: id, ruleID: ruleID, ruleName: ruleName, kind: kind.rawValue, serverID: serverID, serverName: serverName,
            subject: subject, state: state.rawValue, value: value, summary: summary, startedAt: startedAt, firedAt: firedAt,
            acknowledgedAt: acknowledgedAt, acknowledgedBy: acknowledgedBy, resolvedAt: resolvedAt, notifiedAt: notifiedAt)
    }
}
