import Foundation
import HTTPTypes
import SQLKit
import StewardCore
import StewardHub

extension LicensingStore {
    /// Stores one redacted window unless the instance already sent it (same start): a window is kept
    /// once however often the hub retries. Returns whether it was new.
    package func storeTelemetry(
        instanceID: String, start: Date, end: Date, droppedFields: Int, body: String, version: String?, at now: Date
    ) async throws -> Bool {
        try await pool.transaction(.hub) { db in
            let at = Millis.from(now)
            try await db.raw(
                """
                UPDATE instances SET last_telemetry_at = \(bind: at), version = COALESCE(\(bind: version), version), updated_at = \(bind: at)
                WHERE id = \(bind: instanceID)
                """
            ).run()
            let known = try await db.raw(
                "SELECT 1 AS known FROM telemetry_windows WHERE instance_id = \(bind: instanceID) AND window_start = \(bind: Millis.from(start))"
            ).first()
            guard known == nil else { return false }
            try await db.raw(
                """
                INSERT INTO telemetry_windows (instance_id, window_start, window_end, received_at, dropped_fields, body)
                VALUES (\(bind: instanceID), \(bind: Millis.from(start)), \(bind: Millis.from(end)), \(bind: at), \(bind: droppedFields), \(bind: body))
                """
            ).run()
            return true
        }
    }

    /// The newest `limit` windows of an instance, newest first.
    package func telemetry(instanceID: String, limit: Int) async throws -> [Wire.Licensing.TelemetryRecord] {
        try await pool.read(.hub) { db in
            try await db.raw(
                """
                SELECT * FROM telemetry_windows WHERE instance_id = \(bind: instanceID)
                ORDER BY window_start DESC LIMIT \(bind: limit)
                """
            ).all().map { row in
                Wire.Licensing.TelemetryRecord(
                    windowStart: Millis.date(try row.decode(column: "window_start", as: Int64.self)),
                    windowEnd: Millis.date(try row.decode(column: "window_end", as: Int64.self)),
                    receivedAt: Millis.date(try row.decode(column: "received_at", as: Int64.self)),
                    droppedFields: try row.decode(column: "dropped_fields", as: Int.self),
                    body: try JSONColumn.decode(JSONValue.self, from: row.decode(column: "body", as: String.self)))
            }
        }
    }
}
