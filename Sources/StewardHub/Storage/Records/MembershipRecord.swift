import Foundation
import SQLKit

/// A user's place in a tenant: one role.
public struct MembershipRecord: Sendable, Equatable {
    public var userID: String
    public var tenantID: String
    public var role: Role
    public var createdAt: Date

    public init(userID: String, tenantID: String, role: Role, createdAt: Date) {
        self.userID = userID
        self.tenantID = tenantID
        self.role = role
        self.createdAt = createdAt
    }

    init(row: any SQLRow) throws {
        userID = try row.decode(column: "user_id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        let roleText = try row.decode(column: "role", as: String.self)
        guard let role = Role(rawValue: roleText) else { throw StoreError("membership of \(userID) has unknown role \(roleText)") }
        self.role = role
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
    }
}
