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
    public var createdAt: Date
    public var revokedAt: Date?

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        userID = try row.decode(column: "user_id", as: String.self)
        lookupKey = try row.decode(column: "lookup_key", as: String.self)
        tokenHash = try row.decode(column: "token_hash", as: String.self)
        description = try row.decode(column: "description", as: String.self)
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
        revokedAt = try row.decode(column: "revoked_at", as: Int64?.self).map(Millis.date)
    }

    public init(id: String, tenantID: String, userID: String, digest: SecretToken.Digest, description: String, createdAt: Date) {
        self.id = id
        self.tenantID = tenantID
        self.userID = userID
        self.lookupKey = digest.lookupKey
        self.tokenHash = digest.hash
        self.description = description
        self.createdAt = createdAt
        self.revokedAt = nil
    }
}
