import Foundation
import SQLKit
import StewardCore

/// An operator's API token, kept only as its digest.
public struct APITokenRecord: Sendable, Equatable {
    public var id: String
    public var tenantID: String
    public var userID: String
    public var lookupKey: String
    public var tokenHash: String
    public var description: String
    /// The role the token acts with, never above its user's in the tenant; `nil`: the user's role.
    public var role: Role?
    public var expiresAt: Date?
    public var lastUsedAt: Date?
    public var createdAt: Date
    public var revokedAt: Date?

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        userID = try row.decode(column: "user_id", as: String.self)
        lookupKey = try row.decode(column: "lookup_key", as: String.self)
        tokenHash = try row.decode(column: "token_hash", as: String.self)
        description = try row.decode(column: "description", as: String.self)
        role = try row.decode(column: "role", as: String?.self).flatMap(Role.init(rawValue:))
        expiresAt = try row.decode(column: "expires_at", as: Int64?.self).map(Millis.date)
        lastUsedAt = try row.decode(column: "last_used_at", as: Int64?.self).map(Millis.date)
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
        revokedAt = try row.decode(column: "revoked_at", as: Int64?.self).map(Millis.date)
    }

    public init(
        id: String, tenantID: String, userID: String, digest: SecretToken.Digest, description: String, role: Role? = nil,
        expiresAt: Date? = nil, createdAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.userID = userID
        self.lookupKey = digest.lookupKey
        self.tokenHash = digest.hash
        self.description = description
        self.role = role
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.revokedAt = nil
    }
}
