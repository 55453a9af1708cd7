import Foundation
import SQLKit
import StewardCore

extension Store {
    /// The user with this e-mail address (compared case-insensitively).
    public func user(email: String) async throws -> UserRecord? {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT * FROM users WHERE LOWER(email) = \(bind: email.lowercased())").first().map(UserRecord.init(row:))
        }
    }

    /// Starts a session, audited as a sign-in in the same transaction.
    public func createSession(_ session: SessionRecord, audit: AuditEvent) async throws {
        try await pool.transaction(.tenant(session.tenantID)) { db in
            try await db.raw(
                """
                INSERT INTO sessions (id, tenant_id, user_id, token_hash, csrf_token, source_address, user_agent, created_at,
                    last_seen_at, expires_at)
                VALUES (\(bind: session.id), \(bind: session.tenantID), \(bind: session.userID), \(bind: session.tokenHash),
                    \(bind: session.csrfToken), \(bind: session.sourceAddress), \(bind: session.userAgent),
                    \(bind: Millis.from(session.createdAt)), \(bind: Millis.from(session.lastSeenAt)), \(bind: Millis.from(session.expiresAt)))
                """
            ).run()
            try await appendAudit(audit, on: db, at: session.createdAt)
        }
    }

    /// The live session with this lookup key, its user and the user's role in the session's tenant
    /// (`nil` when no longer a member): not past its end, not idle longer than `idleTimeout`.
    /// Looking it up counts as activity (at most once a minute is written).
    public func session(
        id: String, now: Date, idleTimeout: TimeInterval
    ) async throws
        -> (session: SessionRecord, user: UserRecord, memberRole: Role?)?
    {
        try await pool.read(.hub) { db in
            guard let row = try await db.raw("SELECT * FROM sessions WHERE id = \(bind: id)").first() else { return nil }
            let session = try SessionRecord(row: row)
            guard session.expiresAt > now, now.timeIntervalSince(session.lastSeenAt) < idleTimeout else { return nil }
            guard let user = try await db.raw("SELECT * FROM users WHERE id = \(bind: session.userID)").first().map(UserRecord.init(row:))
            else { return nil }
            if now.timeIntervalSince(session.lastSeenAt) > 60 {
                try await db.raw("UPDATE sessions SET last_seen_at = \(bind: Millis.from(now)) WHERE id = \(bind: id)").run()
            }
            return (session, user, try await Self.memberRole(userID: user.id, tenantID: session.tenantID, on: db))
        }
    }

    /// The user's console sessions that have not reached their end, newest first.
    public func sessions(userID: String, now: Date) async throws -> [SessionRecord] {
        try await pool.read(.hub) { db in
            try await db.raw(
                """
                SELECT * FROM sessions WHERE user_id = \(bind: userID) AND expires_at > \(bind: Millis.from(now))
                ORDER BY created_at DESC, id
                """
            ).all().map(SessionRecord.init(row:))
        }
    }

    /// Ends one of the user's sessions; `false` when the user has none with this id.
    public func endSession(id: String, userID: String, audit: AuditEvent, at now: Date) async throws -> Bool {
        try await pool.transaction(.hub) { db in
            guard
                try await db.raw("DELETE FROM sessions WHERE id = \(bind: id) AND user_id = \(bind: userID) RETURNING id").first() != nil
            else { return false }
            try await appendAudit(audit, on: db, at: now)
            return true
        }
    }

    /// The newest sign-in records (successes, failures, throttling, second-factor failures) of the
    /// account with this e-mail, in every tenant.
    public func signIns(email: String, limit: Int) async throws -> [Wire.Audit.Entry] {
        let actions = [
            "console.login", "console.login_failed", "console.login_throttled", "api.sign_in", "api.sign_in_failed",
            "api.sign_in_throttled", "user.otp_failed", "user.backup_code_used",
        ]
        return try await pool.read(.hub) { db in
            try await db.raw(
                """
                SELECT * FROM audit_log WHERE actor = \(bind: email)
                    AND action IN (\(unsafeRaw: actions.map { "'\($0)'" }.joined(separator: ", ")))
                ORDER BY id DESC LIMIT \(bind: limit)
                """
            ).all().map(AuditEvent.entry(row:))
        }
    }

    /// Moves a console session to another tenant (the switcher), audited there. `false` when the
    /// session is gone.
    public func switchSession(id: String, to tenantID: String, audit: AuditEvent, at now: Date) async throws -> Bool {
        try await pool.transaction(.hub) { db in
            guard
                try await db.raw("UPDATE sessions SET tenant_id = \(bind: tenantID) WHERE id = \(bind: id) RETURNING id").first() != nil
            else { return false }
            try await appendAudit(audit, on: db, at: now)
            return true
        }
    }

    /// Ends a session (sign-out), audited in the same transaction.
    public func deleteSession(id: String, audit: AuditEvent, at now: Date) async throws {
        try await pool.transaction(.hub) { db in
            try await db.raw("DELETE FROM sessions WHERE id = \(bind: id)").run()
            try await appendAudit(audit, on: db, at: now)
        }
    }

    /// Writes an audit record on its own (events that change nothing else, such as a failed sign-in).
    public func recordAudit(_ audit: AuditEvent, at now: Date) async throws {
        try await pool.transaction(.tenant(audit.tenantID)) { db in try await appendAudit(audit, on: db, at: now) }
    }
}
