import Foundation
import HTTPTypes
import Logging
import SQLKit
import StewardCore
import StewardHub

/// Everything the license service keeps, over one SQL implementation for SQLite and PostgreSQL.
/// The only place in the module that writes SQL.
public struct LicensingStore: Sendable {
    public let pool: any DatabasePool

    public init(pool: any DatabasePool) {
        self.pool = pool
    }

    /// Brings the schema up to date. Safe to run from several services at once.
    @discardableResult
    public func migrate(logger: Logger) async throws -> [Int] {
        try await Migrator(pool: pool, migrations: LicensingMigrations.all, logger: logger, advisoryLock: LicensingMigrations.advisoryLock)
            .migrate()
    }

    // MARK: Administrator keys and console sessions

    /// How many administrator keys work now.
    package func liveAdminKeyCount() async throws -> Int {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT COUNT(*) AS n FROM admin_keys WHERE revoked_at IS NULL").first()?.decode(column: "n", as: Int.self)
                ?? 0
        }
    }

    /// Adds `digest` as an administrator key; with `revokingOthers`, every other key stops working in
    /// the same transaction.
    package func addAdminKey(_ digest: SecretToken.Digest, revokingOthers: Bool, at now: Date) async throws {
        try await pool.transaction(.hub) { db in
            if revokingOthers {
                try await db.raw("UPDATE admin_keys SET revoked_at = \(bind: Millis.from(now)) WHERE revoked_at IS NULL").run()
            }
            try await db.raw(
                """
                INSERT INTO admin_keys (id, lookup_key, key_hash, created_at, revoked_at)
                VALUES (\(bind: UUID().uuidString.lowercased()), \(bind: digest.lookupKey), \(bind: digest.hash), \(bind: Millis.from(now)), NULL)
                """
            ).run()
        }
    }

    /// The hash of the live administrator key with this lookup key.
    package func adminKeyHash(lookupKey: String) async throws -> String? {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT key_hash FROM admin_keys WHERE lookup_key = \(bind: lookupKey) AND revoked_at IS NULL").first()?
                .decode(column: "key_hash", as: String.self)
        }
    }

    /// Records a console session and forgets the expired ones.
    package func createSession(_ digest: SecretToken.Digest, at now: Date, expiresAt: Date) async throws {
        try await pool.transaction(.hub) { db in
            try await db.raw("DELETE FROM admin_sessions WHERE expires_at <= \(bind: Millis.from(now))").run()
            try await db.raw(
                """
                INSERT INTO admin_sessions (id, lookup_key, token_hash, created_at, expires_at)
                VALUES (\(bind: UUID().uuidString.lowercased()), \(bind: digest.lookupKey), \(bind: digest.hash),
                        \(bind: Millis.from(now)), \(bind: Millis.from(expiresAt)))
                """
            ).run()
        }
    }

    /// The hash of the unexpired session with this lookup key.
    package func sessionHash(lookupKey: String, at now: Date) async throws -> String? {
        try await pool.read(.hub) { db in
            try await db.raw(
                "SELECT token_hash FROM admin_sessions WHERE lookup_key = \(bind: lookupKey) AND expires_at > \(bind: Millis.from(now))"
            ).first()?.decode(column: "token_hash", as: String.self)
        }
    }

    package func deleteSession(lookupKey: String) async throws {
        try await pool.read(.hub) { db in
            try await db.raw("DELETE FROM admin_sessions WHERE lookup_key = \(bind: lookupKey)").run()
        }
    }

    /// Ends every console session (the administrator key changed).
    package func deleteAllSessions() async throws {
        try await pool.read(.hub) { db in try await db.raw("DELETE FROM admin_sessions").run() }
    }
}
