import Foundation
import SQLKit

/// A web console session. The cookie carries a secret token; the hub keeps its lookup key (`id`)
/// and SHA-256, never the token itself.
public struct SessionRecord: Sendable, Equatable {
    public var id: String
    public var tenantID: String
    public var userID: String
    public var tokenHash: String
    /// Every form of this session carries it; a post without it is refused.
    public var csrfToken: String
    public var sourceAddress: String
    /// The browser's `User-Agent` at sign-in (at most 300 characters), to tell sessions apart.
    public var userAgent: String = ""
    public var createdAt: Date
    public var lastSeenAt: Date
    /// The absolute end; idle sessions end sooner (``ConsoleSessions/idleTimeout``).
    public var expiresAt: Date

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        userID = try row.decode(column: "user_id", as: String.self)
        tokenHash = try row.decode(column: "token_hash", as: String.self)
        csrfToken = try row.decode(column: "csrf_token", as: String.self)
        sourceAddress = try row.decode(column: "source_address", as: String.self)
        userAgent = try row.decode(column: "user_agent", as: String.self)
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
        lastSeenAt = Millis.date(try row.decode(column: "last_seen_at", as: Int64.self))
        expiresAt = Millis.date(try row.decode(column: "expires_at", as: Int64.self))
    }

    public init(
        id: String, tenantID: String, userID: String, tokenHash: String, csrfToken: String, sourceAddress: String, createdAt: Date,
        expiresAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.userID = userID
        self.tokenHash = tokenHash
        self.csrfToken = csrfToken
        self.sourceAddress = sourceAddress
        self.createdAt = createdAt
        self.lastSeenAt = createdAt
        self.expiresAt = expiresAt
    }
}
