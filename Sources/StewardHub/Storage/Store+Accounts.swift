import Foundation
import SQLKit
import StewardCore

extension Store {
    public func userCount() async throws -> Int {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT COUNT(*) AS n FROM users").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// Creates the first account: the owner of the default tenant and the hub's administrator, with
    /// its API token, together, so a crash cannot leave an owner without a token.
    public func createOwner(_ owner: UserRecord, apiToken: APITokenRecord) async throws {
        try await pool.transaction(.hub) { db in
            try await db.raw(
                """
                INSERT INTO users (id, tenant_id, email, name, password_hash, role, hub_admin, created_at)
                VALUES (\(bind: owner.id), \(bind: owner.tenantID), \(bind: owner.email), \(bind: owner.name), \(bind: owner.passwordHash),
                        \(bind: Role.owner.rawValue), 1, \(bind: Millis.from(owner.createdAt)))
                """
            ).run()
            try await db.raw(
                """
                INSERT INTO memberships (user_id, tenant_id, role, created_at)
                VALUES (\(bind: owner.id), \(bind: owner.tenantID), \(bind: Role.owner.rawValue), \(bind: Millis.from(owner.createdAt)))
                """
            ).run()
            try await db.raw(
                """
                INSERT INTO api_tokens (id, tenant_id, user_id, lookup_key, token_hash, description, created_at)
                VALUES (\(bind: apiToken.id), \(bind: apiToken.tenantID), \(bind: apiToken.userID), \(bind: apiToken.lookupKey),
                        \(bind: apiToken.tokenHash), \(bind: apiToken.description), \(bind: Millis.from(apiToken.createdAt)))
                """
            ).run()
        }
    }

    /// The unrevoked API token with this lookup key, its user, and the user's role in the token's
    /// tenant (`nil` when no longer a member, or the tenant was deleted).
    public func apiToken(lookupKey: String) async throws -> (token: APITokenRecord, user: UserRecord, memberRole: Role?)? {
        try await pool.read(.hub) { db in
            guard
                let tokenRow = try await db.raw(
                    "SELECT * FROM api_tokens WHERE lookup_key = \(bind: lookupKey) AND revoked_at IS NULL"
                ).first()
            else { return nil }
            let token = try APITokenRecord(row: tokenRow)
            guard let userRow = try await db.raw("SELECT * FROM users WHERE id = \(bind: token.userID)").first() else {
                return nil
            }
            return (token, try UserRecord(row: userRow), try await Self.memberRole(userID: token.userID, tenantID: token.tenantID, on: db))
        }
    }

    /// The user's role in a live tenant; `nil` when not a member or the tenant was deleted.
    static func memberRole(userID: String, tenantID: String, on db: any SQLDatabase) async throws -> Role? {
        try await db.raw(
            """
            SELECT memberships.role FROM memberships JOIN tenants ON tenants.id = memberships.tenant_id
            WHERE memberships.user_id = \(bind: userID) AND memberships.tenant_id = \(bind: tenantID) AND tenants.deleted_at IS NULL
            """
        ).first().flatMap { Role(rawValue: try $0.decode(column: "role", as: String.self)) }
    }
}
