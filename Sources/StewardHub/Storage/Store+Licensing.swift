import Foundation
import SQLKit
import StewardCore

extension Store {
    // MARK: Activation

    public func licenseActivation() async throws -> LicenseActivationRecord? {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT * FROM license_activation WHERE id = 'current'").first().map(LicenseActivationRecord.init(row:))
        }
    }

    /// Keeps `record` as the hub's activation, replacing any earlier one.
    public func saveLicenseActivation(_ record: LicenseActivationRecord) async throws {
        try await pool.transaction(.hub) { db in
            try await db.raw("DELETE FROM license_activation WHERE id = 'current'").run()
            try await db.raw(
                """
                INSERT INTO license_activation (id, license_key_hash, instance_id, sealed_hub_key, state, entitlements, activated_at, checked_at)
                VALUES ('current', \(bind: record.licenseKeyHash), \(bind: record.instanceID), \(bind: record.sealedHubKey),
                        \(bind: record.state.rawValue), \(bind: JSONColumn.encode(record.entitlements)), \(bind: Millis.from(record.activatedAt)),
                        \(bind: Millis.from(record.checkedAt)))
                """
            ).run()
        }
    }

    /// Records where the license stands, as the license service just said.
    public func updateLicenseState(_ state: Wire.Licensing.State, entitlements: Wire.Licensing.Entitlements, at now: Date) async throws {
        try await pool.read(.hub) { db in
            try await db.raw(
                """
                UPDATE license_activation SET state = \(bind: state.rawValue), entitlements = \(bind: JSONColumn.encode(entitlements)),
                    checked_at = \(bind: Millis.from(now))
                WHERE id = 'current'
                """
            ).run()
        }
    }

    // MARK: Telemetry outbox

    /// Puts a window into the outbox unless one with the same start is there: a window is made once.
    /// Returns whether it was new.
    @discardableResult
    public func enqueueTelemetry(start: Date, end: Date, body: String, at now: Date) async throws -> Bool {
        try await pool.transaction(.hub) { db in
            guard
                try await db.raw("SELECT 1 AS known FROM telemetry_outbox WHERE window_start = \(bind: Millis.from(start))").first() == nil
            else { return false }
            try await db.raw(
                """
                INSERT INTO telemetry_outbox (window_start, window_end, body, attempts, next_attempt_at, sent_at)
                VALUES (\(bind: Millis.from(start)), \(bind: Millis.from(end)), \(bind: body), 0, \(bind: Millis.from(now)), NULL)
                """
            ).run()
            return true
        }
    }

    /// The end of the newest window in the outbox: where the next one starts.
    public func lastTelemetryWindowEnd() async throws -> Date? {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT MAX(window_end) AS last_end FROM telemetry_outbox").first()?
                .decode(column: "last_end", as: Int64?.self).map(Millis.date)
        }
    }

    /// Unsent windows whose next attempt is due, oldest first.
    public func dueTelemetry(at now: Date, limit: Int) async throws -> [TelemetryOutboxRecord] {
        try await pool.read(.hub) { db in
            try await db.raw(
                """
                SELECT * FROM telemetry_outbox WHERE sent_at IS NULL AND next_attempt_at <= \(bind: Millis.from(now))
                ORDER BY window_start LIMIT \(bind: limit)
                """
            ).all().map(TelemetryOutboxRecord.init(row:))
        }
    }

    /// Every window of the outbox, newest first (for tests and `telemetry preview`).
    public func telemetryOutbox(limit: Int) async throws -> [TelemetryOutboxRecord] {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT * FROM telemetry_outbox ORDER BY window_start DESC LIMIT \(bind: limit)").all()
                .map(TelemetryOutboxRecord.init(row:))
        }
    }

    public func markTelemetrySent(start: Date, at now: Date) async throws {
        try await pool.read(.hub) { db in
            try await db.raw(
                "UPDATE telemetry_outbox SET sent_at = \(bind: Millis.from(now)) WHERE window_start = \(bind: Millis.from(start))"
            ).run()
        }
    }

    /// Counts a failed attempt and says when to try the window again.
    public func postponeTelemetry(start: Date, until next: Date) async throws {
        try await pool.read(.hub) { db in
            try await db.raw(
                """
                UPDATE telemetry_outbox SET attempts = attempts + 1, next_attempt_at = \(bind: Millis.from(next))
                WHERE window_start = \(bind: Millis.from(start))
                """
            ).run()
        }
    }

    /// Forgets sent windows that ended before `cutoff`, but never the newest: the next window starts
    /// where it ended, however long the hub was down.
    public func pruneTelemetry(sentBefore cutoff: Date) async throws {
        try await pool.read(.hub) { db in
            try await db.raw(
                """
                DELETE FROM telemetry_outbox WHERE sent_at IS NOT NULL AND window_end < \(bind: Millis.from(cutoff))
                AND window_end < (SELECT MAX(window_end) FROM telemetry_outbox)
                """
            ).run()
        }
    }

    // MARK: What the license counts

    /// Servers enrolled and not decommissioned, across every tenant.
    public func enrolledServerCount() async throws -> Int {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT COUNT(*) AS n FROM servers WHERE decommissioned_at IS NULL").first()?.decode(column: "n", as: Int.self)
                ?? 0
        }
    }

    /// Users who can sign in, and open invitations, across every tenant: the seats the license counts.
    public func licensedUserCount(at now: Date) async throws -> Int {
        try await pool.read(.hub) { db in
            let users =
                try await db.raw("SELECT COUNT(*) AS n FROM users WHERE disabled_at IS NULL").first()?.decode(column: "n", as: Int.self)
                ?? 0
            let invitations =
                try await db.raw(
                    """
                    SELECT COUNT(*) AS n FROM invitations
                    WHERE accepted_at IS NULL AND revoked_at IS NULL AND expires_at > \(bind: Millis.from(now))
                    """
                ).first()?.decode(column: "n", as: Int.self) ?? 0
            return users + invitations
        }
    }
}
