import Foundation
import SQLKit
import StewardCore

extension Store {
    public func createRegistrationToken(_ token: RegistrationTokenRecord, audit: AuditEvent) async throws {
        try await pool.transaction(.tenant(token.tenantID)) { db in
            try await db.raw(
                """
                INSERT INTO registration_tokens
                    (id, tenant_id, lookup_key, token_hash, description, labels, max_uses, uses, expires_at, revoked_at, created_by, created_at)
                VALUES (\(bind: token.id), \(bind: token.tenantID), \(bind: token.lookupKey), \(bind: token.tokenHash),
                        \(bind: token.description), \(bind: JSONColumn.encode(token.labels)), \(bind: token.maxUses), 0,
                        \(bind: token.expiresAt.map(Millis.from)), NULL, \(bind: token.createdBy), \(bind: Millis.from(token.createdAt)))
                """
            ).run()
            try await appendAudit(audit, on: db, at: token.createdAt)
        }
    }

    /// Every registration token of the tenant, newest first.
    public func registrationTokens(tenantID: String) async throws -> [RegistrationTokenRecord] {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw(
                "SELECT * FROM registration_tokens WHERE tenant_id = \(bind: tenantID) ORDER BY created_at DESC, id"
            ).all().map(RegistrationTokenRecord.init(row:))
        }
    }

    public func registrationToken(id: String, tenantID: String) async throws -> RegistrationTokenRecord? {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw(
                "SELECT * FROM registration_tokens WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)"
            ).first().map(RegistrationTokenRecord.init(row:))
        }
    }

    /// Revokes a token. Returns `nil` when there is no such token; revoking twice changes nothing
    /// and writes no second audit record.
    public func revokeRegistrationToken(
        id: String, tenantID: String, at now: Date, audit: AuditEvent
    ) async throws
        -> RegistrationTokenRecord?
    {
        try await pool.transaction(.tenant(tenantID)) { db in
            guard
                var token = try await db.raw(
                    "SELECT * FROM registration_tokens WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)"
                ).first().map(RegistrationTokenRecord.init(row:))
            else { return nil }
            guard token.revokedAt == nil else { return token }
            try await db.raw(
                "UPDATE registration_tokens SET revoked_at = \(bind: Millis.from(now)) WHERE id = \(bind: id)"
            ).run()
            try await appendAudit(audit, on: db, at: now)
            token.revokedAt = now
            return token
        }
    }
}
