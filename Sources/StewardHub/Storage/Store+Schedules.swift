import Foundation
import SQLKit
import StewardCore

extension Store {
    public func createSchedule(_ schedule: ScheduleRecord, audit: AuditEvent) async throws {
        try await pool.transaction(.tenant(schedule.tenantID)) { db in
            try await db.raw(
                """
                INSERT INTO schedules (id, tenant_id, name, cron, time_zone, missed, enabled, sealed_action, shown_action, next_run_at,
                    last_run_at, last_outcome, created_by, requester, created_at, updated_at)
                VALUES (\(bind: schedule.id), \(bind: schedule.tenantID), \(bind: schedule.name), \(bind: schedule.cron),
                    \(bind: schedule.timeZone), \(bind: schedule.missed.rawValue), \(bind: schedule.enabled), \(bind: schedule.sealedAction),
                    \(bind: JSONColumn.encode(schedule.shownAction)), \(bind: schedule.nextRunAt.map(Millis.from)), NULL, NULL,
                    \(bind: schedule.requester.email), \(bind: JSONColumn.encode(schedule.requester)), \(bind: Millis.from(schedule.createdAt)),
                    \(bind: Millis.from(schedule.updatedAt)))
                """
            ).run()
            try await appendAudit(audit, on: db, at: schedule.createdAt)
        }
    }

    public func schedules(tenantID: String) async throws -> [ScheduleRecord] {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw("SELECT * FROM schedules WHERE tenant_id = \(bind: tenantID) ORDER BY name, id").all()
                .map(ScheduleRecord.init(row:))
        }
    }

    public func schedule(id: String, tenantID: String) async throws -> ScheduleRecord? {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw("SELECT * FROM schedules WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)").first()
                .map(ScheduleRecord.init(row:))
        }
    }

    /// Saves a schedule's settings and next fire time; `false` when it is gone.
    public func updateSchedule(_ schedule: ScheduleRecord, audit: AuditEvent) async throws -> Bool {
        try await pool.transaction(.tenant(schedule.tenantID)) { db in
            let changed = try await !db.raw(
                """
                UPDATE schedules SET name = \(bind: schedule.name), cron = \(bind: schedule.cron), time_zone = \(bind: schedule.timeZone),
                    missed = \(bind: schedule.missed.rawValue), enabled = \(bind: schedule.enabled),
                    next_run_at = \(bind: schedule.nextRunAt.map(Millis.from)), updated_at = \(bind: Millis.from(schedule.updatedAt))
                WHERE id = \(bind: schedule.id) AND tenant_id = \(bind: schedule.tenantID)
                RETURNING id
                """
            ).all().isEmpty
            if changed { try await appendAudit(audit, on: db, at: schedule.updatedAt) }
            return changed
        }
    }

    public func deleteSchedule(id: String, tenantID: String, at now: Date, audit: AuditEvent) async throws -> Bool {
        try await pool.transaction(.tenant(tenantID)) { db in
            let deleted = try await !db.raw(
                "DELETE FROM schedules WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID) RETURNING id"
            ).all().isEmpty
            if deleted { try await appendAudit(audit, on: db, at: now) }
            return deleted
        }
    }

    /// Every tenant's enabled schedules due at `now`, taken: each gets its next fire time from
    /// `next` (and `last_run_at` = now) in the same transaction, so a fire time is taken once, by
    /// one hub, and a hub that restarts does not take it again. Returned as they were before.
    public func takeDueSchedules(now: Date, next: @escaping @Sendable (ScheduleRecord) -> Date?) async throws -> [ScheduleRecord] {
        let lock = skipLockedRows
        return try await pool.transaction(.hub) { db in
            let due = try await db.raw(
                """
                SELECT * FROM schedules WHERE enabled = \(bind: true) AND next_run_at IS NOT NULL
                AND next_run_at <= \(bind: Millis.from(now)) ORDER BY next_run_at LIMIT 100\(unsafeRaw: lock)
                """
            ).all().map(ScheduleRecord.init(row:))
            for schedule in due {
                try await db.raw(
                    """
                    UPDATE schedules SET next_run_at = \(bind: next(schedule).map(Millis.from)), last_run_at = \(bind: Millis.from(now))
                    WHERE id = \(bind: schedule.id)
                    """
                ).run()
            }
            return due
        }
    }

    /// How the schedule's last fire time went.
    public func recordScheduleOutcome(id: String, outcome: Wire.Schedules.Outcome) async throws {
        try await pool.read(.hub) { db in
            try await db.raw("UPDATE schedules SET last_outcome = \(bind: JSONColumn.encode(outcome)) WHERE id = \(bind: id)").run()
        }
    }
}
