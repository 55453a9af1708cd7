import Foundation
import SQLKit
import StewardCore

/// A registration token as stored: its digest and the rules for using it.
public struct RegistrationTokenRecord: Sendable, Equatable {
    public var id: String
    public var tenantID: String
    public var lookupKey: String
    public var tokenHash: String
    public var description: String
    public var labels: [String: String]
    /// 0 means unlimited.
    public var maxUses: Int
    public var uses: Int
    public var expiresAt: Date?
    public var revokedAt: Date?
    public var createdBy: String
    public var createdAt: Date

    public init(
        id: String,
        tenantID: String,
        digest: SecretToken.Digest,
        description: String,
        labels: [String: String],
        maxUses: Int,
        expiresAt: Date?,
        createdBy: String,
        createdAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.lookupKey = digest.lookupKey
        self.tokenHash = digest.hash
        self.description = description
        self.labels = labels
        self.maxUses = maxUses
        self.uses = 0
        self.expiresAt = expiresAt
        self.revokedAt = nil
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        lookupKey = try row.decode(column: "lookup_key", as: String.self)
        tokenHash = try row.decode(column: "token_hash", as: String.self)
        description = try row.decode(column: "description", as: String.self)
        labels = try JSONColumn.decode([String: String].self, from: row.decode(column: "labels", as: String.self))
        maxUses = try row.decode(column: "max_uses", as: Int.self)
        uses = try row.decode(column: "uses", as: Int.self)
        expiresAt = try row.decode(column: "expires_at", as: Int64?.self).map(Millis.date)
        revokedAt = try row.decode(column: "revoked_at", as: Int64?.self).map(Millis.date)
        createdBy = try row.decode(column: "created_by", as: String.self)
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
    }

    /// Whether the token can enroll a server at `now`; revocation wins over expiry, expiry over use.
    public func status(at now: Date) -> Wire.RegistrationToken.Status {
        if revokedAt != nil { return .revoked }
        if let expiresAt, expiresAt <= now { return .expired }
        if maxUses > 0, uses >= maxUses { return .usedUp }
        return .active
    }

    public func info(at now: Date) -> Wire.RegistrationToken.Info {
        .init(
            id: id, description: description, labels: labels, maxUses: maxUses, uses: uses, expiresAt: expiresAt,
            revokedAt: revokedAt, createdAt: createdAt, createdBy: createdBy, status: status(at: now))
    }
}
