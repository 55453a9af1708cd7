import Foundation
import SQLKit

/// A tenant: the servers, jobs, tokens and audit log of one customer or team, and its members.
public struct TenantRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Lower-case letters, digits and dashes; names the tenant in `--tenant` and `X-Steward-Tenant`.
    public var slug: String
    /// At most this many members and open invitations together; `nil`: no cap.
    public var maxUsers: Int?
    public var requireTwoFactor: Bool
    public var createdAt: Date
    public var deletedAt: Date?

    public init(id: String, name: String, slug: String, maxUsers: Int? = nil, requireTwoFactor: Bool = false, createdAt: Date) {
        self.id = id
        self.name = name
        self.slug = slug
        self.maxUsers = maxUsers
        self.requireTwoFactor = requireTwoFactor
        self.createdAt = createdAt
    }

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        name = try row.decode(column: "name", as: String.self)
        slug = try row.decode(column: "slug", as: String?.self) ?? id
        maxUsers = try row.decode(column: "max_users", as: Int?.self)
        requireTwoFactor = try row.decode(column: "require_two_factor", as: Int.self) != 0
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
        deletedAt = try row.decode(column: "deleted_at", as: Int64?.self).map(Millis.date)
    }
}
