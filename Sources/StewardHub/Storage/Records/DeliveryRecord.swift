import Foundation
import SQLKit
import StewardCore

/// A notification for one channel: its body, fixed when the alert changed, and every attempt.
public struct DeliveryRecord: Sendable, Equatable {
    public enum State: String, Sendable {
        case pending, delivered, failed
    }

    public var id: String
    public var tenantID: String
    public var channelID: String
    public var alertID: String?
    /// `alert.firing`, `alert.resolved` or `test`.
    public var event: String
    public var body: Wire.Alerting.Notification
    public var state: State
    public var attempts: [Wire.Alerting.Attempt]
    public var nextAttemptAt: Date?
    public var createdAt: Date

    public init(
        id: String, tenantID: String, channelID: String, alertID: String?, event: String, body: Wire.Alerting.Notification,
        createdAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.channelID = channelID
        self.alertID = alertID
        self.event = event
        self.body = body
        self.state = .pending
        self.attempts = []
        self.nextAttemptAt = createdAt
        self.createdAt = createdAt
    }

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        channelID = try row.decode(column: "channel_id", as: String.self)
        alertID = try row.decode(column: "alert_id", as: String?.self)
        event = try row.decode(column: "event", as: String.self)
        body = try Wire.makeDecoder().decode(
            Wire.Alerting.Notification.self, from: Data(try row.decode(column: "body", as: String.self).utf8))
        let stateText = try row.decode(column: "state", as: String.self)
        guard let state = State(rawValue: stateText) else { throw StoreError("delivery \(id) has unknown state \(stateText)") }
        self.state = state
        attempts = try Wire.makeDecoder().decode(
            [Wire.Alerting.Attempt].self, from: Data(try row.decode(column: "attempts", as: String.self).utf8))
        nextAttemptAt = try row.decode(column: "next_attempt_at", as: Int64?.self).map(Millis.date)
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
    }

    public var wire: Wire.Alerting.Delivery {
        .init(
            id: id, channelID: channelID, alertID: alertID, event: event, state: state.rawValue, attempts: attempts,
            createdAt: createdAt, nextAttemptAt: state == .pending ? nextAttemptAt : nil)
    }
}
