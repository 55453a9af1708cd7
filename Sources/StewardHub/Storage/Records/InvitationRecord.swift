import Foundation
import SQLKit
import StewardCore

/// An invitation to join a tenant with a role. The token is its credential; only its lookup key and
/// hash are kept.
public struct InvitationRecord: Sendable, Equatable {
    public var id: String
    public var tenantID: String
    public var email: String
    public var role: Role
    public var lookupKey: String
    public var tokenHash: String
    public var createdBy: String
    public var createdAt: Date
    public var expiresAt: Date
    public var acceptedAt: Date?
    public var revokedAt: Date?

    public init(
        id: String, tenantID: String, email: String, role: Role, digest: SecretToken.Digest, createdBy: String, createdAt: Date,
        expiresAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.email = email
        self.role = role
        self.lookupKey = digest.lookupKey
        self.tokenHash = digest.hash
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        email = try row.decode(column: "email", as: String.self)
        let roleText = try row.decode(column: "role", as: String.self)
        guard let role = Role(rawValue: roleText) else { throw StoreError("invitation \(id) has unknown role \(roleText)") }
        self.role = role
        lookupKey = try row.decode(column: "lookup_key", as: String.self)
        tokenHash = try row.decode(column: "token_hash", as: String.self)
        createdBy = try row.decode(column: "created_by", as: String.self)
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
        expiresAt = Millis.date(try row.decode(column: "expires_at", as: Int64.self))
        acceptedAt = try row.decode(column: "accepted_at", as: Int64?.self).map(Millis.date)
        revokedAt = try row.decode(column: "revoked_at", as: Int64?.self).map(Millis.date)
    }

    /// Whether it can still be accepted at `now`.
    public func isOpen(at now: Date) -> Bool {
        acceptedAt == nil && revokedAt == nil && expiresAt > now
    }
}
