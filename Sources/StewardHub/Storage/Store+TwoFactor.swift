import Foundation
import SQLKit

/// TOTP secrets, the last step used, and backup codes.
extension Store {
    /// Starts setting up two-factor sign-in: a new secret, not yet required.
    public func setTOTPSecret(userID: String, sealed: String, audit: AuditEvent, at now: Date) async throws {
        try await pool.transaction(.hub) { db in
            try await db.raw(
                """
                UPDATE users SET totp_secret = \(bind: sealed), totp_enabled_at = NULL, totp_last_step = NULL
                WHERE id = \(bind: userID)
                """
            ).run()
            try await appendAudit(audit, on: db, at: now)
        }
    }

    /// Turns two-factor sign-in on after a first good code, and replaces the backup codes.
    public func enableTOTP(userID: String, step: Int64, backupCodeHashes: [String], audit: AuditEvent, at now: Date) async throws {
        let millis = Millis.from(now)
        try await pool.transaction(.hub) { db in
            try await db.raw(
                """
                UPDATE users SET totp_enabled_at = \(bind: millis), totp_last_step = \(bind: step) WHERE id = \(bind: userID)
                """
            ).run()
            try await Self.replaceBackupCodes(userID: userID, hashes: backupCodeHashes, at: millis, on: db)
            try await appendAudit(audit, on: db, at: now)
        }
    }

    /// Replaces the backup codes (the old ones stop working).
    public func replaceBackupCodes(userID: String, hashes: [String], audit: AuditEvent, at now: Date) async throws {
        try await pool.transaction(.hub) { db in
            try await Self.replaceBackupCodes(userID: userID, hashes: hashes, at: Millis.from(now), on: db)
            try await appendAudit(audit, on: db, at: now)
        }
    }

    /// Turns two-factor sign-in off: secret, last step and backup codes go.
    public func disableTOTP(userID: String, audit: AuditEvent, at now: Date) async throws {
        try await pool.transaction(.hub) { db in
            try await db.raw(
                "UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = \(bind: userID)"
            ).run()
            try await db.raw("DELETE FROM backup_codes WHERE user_id = \(bind: userID)").run()
            try await appendAudit(audit, on: db, at: now)
        }
    }

    /// Records that a code of `step` was used; `false` when that step (or a later one) was used
    /// already, which is what refuses a replayed code even when two sign-ins race.
    public func useTOTPStep(userID: String, step: Int64) async throws -> Bool {
        try await pool.transaction(.hub) { db in
            try await db.raw(
                """
                UPDATE users SET totp_last_step = \(bind: step)
                WHERE id = \(bind: userID) AND (totp_last_step IS NULL OR totp_last_step < \(bind: step))
                RETURNING id
                """
            ).first() != nil
        }
    }

    /// Uses up a backup code; `false` when there is no unused code with this hash.
    public func useBackupCode(userID: String, hash: String, at now: Date) async throws -> Bool {
        try await pool.transaction(.hub) { db in
            try await db.raw(
                """
                UPDATE backup_codes SET used_at = \(bind: Millis.from(now))
                WHERE user_id = \(bind: userID) AND code_hash = \(bind: hash) AND used_at IS NULL
                RETURNING user_id
                """
            ).first() != nil
        }
    }

    /// How many backup codes the user has left.
    public func unusedBackupCodes(userID: String) async throws -> Int {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT COUNT(*) AS n FROM backup_codes WHERE user_id = \(bind: userID) AND used_at IS NULL").first()?
                .decode(column: "n", as: Int.self) ?? 0
        }
    }

    private static func replaceBackupCodes(userID: String, hashes: [String], at millis: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM backup_codes WHERE user_id = \(bind: userID)").run()
        for hash in hashes {
            try await db.raw(
                "INSERT INTO backup_codes (user_id, code_hash, created_at) VALUES (\(bind: userID), \(bind: hash), \(bind: millis))"
            ).run()
        }
    }
}
