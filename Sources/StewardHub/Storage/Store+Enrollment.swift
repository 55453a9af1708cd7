import Foundation
import SQLKit
import StewardCore

/// What an agent presents to enroll, after the hub has checked its shape.
public struct EnrollmentRequest: Sendable {
    public var token: String
    public var hostname: String
    public var facts: Wire.Facts
    public var sourceAddress: String
    /// Fresh credentials the hub made for the new agent; stored only if enrollment succeeds.
    public var agentID: String
    public var serverID: String
    public var agentSecretHash: String

    public init(
        token: String, hostname: String, facts: Wire.Facts, sourceAddress: String, agentID: String, serverID: String,
        agentSecretHash: String
    ) {
        self.token = token
        self.hostname = hostname
        self.facts = facts
        self.sourceAddress = sourceAddress
        self.agentID = agentID
        self.serverID = serverID
        self.agentSecretHash = agentSecretHash
    }
}

/// Why a registration token did not enroll a server.
public enum EnrollmentRefusal: Error, Sendable, Equatable {
    case unknownToken
    case revoked
    case expired(at: Date)
    case usedUp(maxUses: Int)
}

extension Store {
    /// Checks the token and, if it may still be used, counts the use and creates the server and its agent,
    /// all in one transaction so two agents racing for the last use cannot both win.
    public func enroll(_ request: EnrollmentRequest, at now: Date) async throws -> Result<ServerRecord, EnrollmentRefusal> {
        try await pool.transaction(.hub) { db in
            let digest = SecretToken.Digest(of: request.token)
            guard
                let token = try await db.raw(
                    "SELECT * FROM registration_tokens WHERE lookup_key = \(bind: digest.lookupKey)"
                ).first().map(RegistrationTokenRecord.init(row:)),
                ConstantTime.equals(token.tokenHash, digest.hash)
            else { return .failure(.unknownToken) }

            switch token.status(at: now) {
            case .revoked: return .failure(.revoked)
            case .expired: return .failure(.expired(at: token.expiresAt ?? now))
            case .usedUp: return .failure(.usedUp(maxUses: token.maxUses))
            case .active: break
            }

            // Counting the use re-checks the limit in the same statement: on PostgreSQL a concurrent
            // enrollment waits for our row lock and then sees the new count, so the last use is won once.
            let counted = try await db.raw(
                """
                UPDATE registration_tokens SET uses = uses + 1
                WHERE id = \(bind: token.id) AND revoked_at IS NULL AND (max_uses = 0 OR uses < max_uses)
                RETURNING id
                """
            ).first()
            guard counted != nil else { return .failure(.usedUp(maxUses: token.maxUses)) }
            let millis = Millis.from(now)
            try await db.raw(
                """
                INSERT INTO servers (id, tenant_id, name, hostname, labels, facts, agent_version, registration_token_id, enrolled_at, last_seen_at)
                VALUES (\(bind: request.serverID), \(bind: token.tenantID), \(bind: request.hostname), \(bind: request.hostname),
                        \(bind: JSONColumn.encode(token.labels)), \(bind: JSONColumn.encode(request.facts)),
                        \(bind: request.facts.agentVersion), \(bind: token.id), \(bind: millis), \(bind: millis))
                """
            ).run()
            try await db.raw(
                """
                INSERT INTO agents (id, tenant_id, server_id, secret_hash, created_at)
                VALUES (\(bind: request.agentID), \(bind: token.tenantID), \(bind: request.serverID),
                        \(bind: request.agentSecretHash), \(bind: millis))
                """
            ).run()
            try await appendAudit(
                AuditEvent(
                    tenantID: token.tenantID, actor: "registration-token:\(token.id)", action: "server.enroll",
                    target: "server:\(request.serverID)", detail: ["hostname": request.hostname],
                    sourceAddress: request.sourceAddress),
                on: db, at: now)
            guard let server = try await db.raw("SELECT * FROM servers WHERE id = \(bind: request.serverID)").first() else {
                throw StoreError("server \(request.serverID) vanished inside its own transaction")
            }
            return .success(try ServerRecord(row: server))
        }
    }
}
