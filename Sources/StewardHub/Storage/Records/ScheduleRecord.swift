import Foundation
import SQLKit
import StewardCore

/// A schedule: a cron expression in a time zone, what it does when it fires, and when that is next.
public struct ScheduleRecord: Sendable, Equatable {
    /// What happens to a fire time that passed while no hub ran.
    public enum Missed: String, Sendable, CaseIterable {
        case skip
        case runOnce = "run_once"
    }

    public var id: String
    public var tenantID: String
    public var name: String
    public var cron: String
    public var timeZone: String
    public var missed: Missed
    public var enabled: Bool
    /// The action as given (steps and inputs may hold secrets), sealed with the master key.
    public var sealedAction: String
    /// The action with secret values masked, for showing.
    public var shownAction: Wire.Schedules.Action
    /// `nil` while the schedule is off, or when its expression names no time ahead.
    public var nextRunAt: Date?
    public var lastRunAt: Date?
    public var lastOutcome: Wire.Schedules.Outcome?
    public var requester: DeferredRequester
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, tenantID: String, name: String, cron: String, timeZone: String, missed: Missed, enabled: Bool, sealedAction: String,
        shownAction: Wire.Schedules.Action, nextRunAt: Date?, requester: DeferredRequester, createdAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.cron = cron
        self.timeZone = timeZone
        self.missed = missed
        self.enabled = enabled
        self.sealedAction = sealedAction
        self.shownAction = shownAction
        self.nextRunAt = nextRunAt
        self.requester = requester
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        name = try row.decode(column: "name", as: String.self)
        cron = try row.decode(column: "cron", as: String.self)
        timeZone = try row.decode(column: "time_zone", as: String.self)
        let missedText = try row.decode(column: "missed", as: String.self)
        guard let missed = Missed(rawValue: missedText) else { throw StoreError("schedule \(id) has unknown missed policy \(missedText)") }
        self.missed = missed
        enabled = try row.decode(column: "enabled", as: Bool.self)
        sealedAction = try row.decode(column: "sealed_action", as: String.self)
        shownAction = try JSONColumn.decode(Wire.Schedules.Action.self, from: row.decode(column: "shown_action", as: String.self))
        nextRunAt = try row.decode(column: "next_run_at", as: Int64?.self).map(Millis.date)
        lastRunAt = try row.decode(column: "last_run_at", as: Int64?.self).map(Millis.date)
        lastOutcome = try row.decode(column: "last_outcome", as: String?.self).map {
            try JSONColumn.decode(Wire.Schedules.Outcome.self, from: $0)
        }
        requester = try JSONColumn.decode(DeferredRequester.self, from: row.decode(column: "requester", as: String.self))
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
        updatedAt = Millis.date(try row.decode(column: "updated_at", as: Int64.self))
    }

    public var wire: Wire.Schedules.Info {
        .init(
            id: id, name: name, cron: cron, timeZone: timeZone, missed: missed.rawValue, enabled: enabled, action: shownAction,
            nextRunAt: nextRunAt, lastRunAt: lastRunAt, lastOutcome: lastOutcome, createdBy: requester.email, createdAt: createdAt)
    }
}
