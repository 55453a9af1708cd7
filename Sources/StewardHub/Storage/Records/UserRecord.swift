import Foundation
import SQLKit

/// An operator account. Only the owner exists until user management arrives.
public struct UserRecord: Sendable, Equatable {
    public enum Role: String, Sendable {
        case owner, admin, `operator`, viewer
    }

    public var id: String
    public var tenantID: String
    public var email: String
    /// bcrypt.
    public var passwordHash: String
    public var role: Role
    public var createdAt: Date

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        email = try row.decode(column: "email", as: String.self)
        passwordHash = try row.decode(column: "password_hash", as: String.self)
        role = Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .viewer
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
    }

    public init(id: String, tenantID: String, email: String, passwordHash: String, role: Role, createdAt: Date) {
        self.id = id
        self.tenantID = tenantID
        self.email = email
        self.passwordHash = passwordHash
        self.role = role
        self.createdAt = createdAt
    }
}
