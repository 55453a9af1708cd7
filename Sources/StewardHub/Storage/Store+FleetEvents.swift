import Foundation
import SQLKit
import StewardCore

extension Store {
    /// The tenant's events, newest first, optionally of one server and/or kind.
    public func fleetEvents(
        tenantID: String, serverID: String? = nil, kind: String? = nil, before: Date? = nil, limit: Int
    )
        async throws -> [FleetEventRecord]
    {
        try await pool.read(.tenant(tenantID)) { db in
            var query: SQLQueryString = "SELECT * FROM fleet_events WHERE tenant_id = \(bind: tenantID)"
            if let serverID { query = query + " AND server_id = \(bind: serverID)" }
            if let kind { query = query + " AND kind = \(bind: kind)" }
            if let before { query = query + " AND created_at < \(bind: Millis.from(before))" }
            query = query + " ORDER BY created_at DESC, id LIMIT \(bind: limit)"
            return try await db.raw(query).all().map(FleetEventRecord.init(row:))
        }
    }

    /// Records events; one whose `dedupeKey` is already stored is skipped.
    public func recordFleetEvents(_ events: [FleetEventRecord]) async throws {
        guard !events.isEmpty else { return }
        try await pool.read(.hub) { db in
            for event in events { try await Self.record(event, on: db) }
        }
    }

    static func record(_ event: FleetEventRecord, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO fleet_events (id, tenant_id, server_id, job_id, kind, severity, message, dedupe_key, created_at)
            VALUES (\(bind: event.id), \(bind: event.tenantID), \(bind: event.serverID), \(bind: event.jobID), \(bind: event.kind),
                \(bind: event.severity.rawValue), \(bind: event.message), \(bind: event.dedupeKey), \(bind: Millis.from(event.createdAt)))
            ON CONFLICT DO NOTHING
            """
        ).run()
    }

    /// Deletes events, resolved alerts and finished deliveries older than `before`; returns how many rows went.
    @discardableResult
    public func purgeAlerting(before: Date) async throws -> Int {
        let millis = Millis.from(before)
        return try await pool.read(.hub) { db in
            var removed = 0
            for statement: SQLQueryString in [
                "DELETE FROM fleet_events WHERE created_at < \(bind: millis) RETURNING id",
                "DELETE FROM alerts WHERE state = 'resolved' AND resolved_at < \(bind: millis) RETURNING id",
                "DELETE FROM notification_deliveries WHERE state <> 'pending' AND created_at < \(bind: millis) RETURNING id",
            ] {
                removed += try await db.raw(statement).all().count
            }
            return removed
        }
    }
}
