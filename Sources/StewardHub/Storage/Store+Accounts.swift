import Foundation
import SQLKit
import StewardCore

extension Store {
    public func userCount() async throws -> Int {
        try await pool.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM users").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// Creates the owner and the owner's API token together, so a crash cannot leave an owner without a token.
    public func createOwner(_ owner: UserRecord, apiToken: APITokenRecord) async throws {
        try await pool.transaction { db in
            try await db.raw(
                """
                INSERT INTO users (id, tenant_id, email, password_hash, role, created_at)
                VALUES (\(bind: owner.id), \(bind: owner.tenantID), \(bind: owner.email), \(bind: owner.passwordHash),
                        \(bind: owner.role.rawValue), \(bind: Millis.from(owner.createdAt)))
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

    /// The live (unrevoked) API token with this lookup key, and its owner.
    public func apiToken(lookupKey: String) async throws -> (token: APITokenRecord, user: UserRecord)? {
        try await pool.read { db in
            guard
                let tokenRow = try await db.raw(
                    "SELECT * FROM api_tokens WHERE lookup_key = \(bind: lookupKey) AND revoked_at IS NULL"
                ).first()
            else { return nil }
            let token = try APITokenRecord(row: tokenRow)
            guard let userRow = try await db.raw("SELECT * FROM users WHERE id = \(bind: token.userID)").first() else {
                return nil
            }
            return (token, try UserRecord(row: userRow))
        }
    }
}
