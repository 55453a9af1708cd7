import Foundation
import SQLKit

/// An operator account. What it may do in a tenant comes from its membership there (``MembershipRecord``).
public struct UserRecord: Sendable, Equatable {
    public var id: String
    /// The tenant the user joined first (where a token is made when none is named).
    public var tenantID: String
    public var email: String
    public var name: String
    /// bcrypt.
    public var passwordHash: String
    /// The role the user was first given (kept for the record; memberships decide).
    public var role: Role
    public var isHubAdmin: Bool
    /// A disabled user's sessions and tokens stop working at once.
    public var disabledAt: Date?
    /// The TOTP secret, sealed with the master key; set when two-factor sign-in is being set up or on.
    public var sealedTOTPSecret: String?
    /// When two-factor sign-in was confirmed with a first code: from then on it is required.
    public var totpEnabledAt: Date?
    /// The last TOTP time step a code was accepted for; codes of that step or earlier are refused.
    public var totpLastStep: Int64?
    public var createdAt: Date

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        email = try row.decode(column: "email", as: String.self)
        name = try row.decode(column: "name", as: String.self)
        passwordHash = try row.decode(column: "password_hash", as: String.self)
        role = Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .viewer
        isHubAdmin = try row.decode(column: "hub_admin", as: Int.self) != 0
        disabledAt = try row.decode(column: "disabled_at", as: Int64?.self).map(Millis.date)
        sealedTOTPSecret = try row.decode(column: "totp_secret", as: String?.self)
        totpEnabledAt = try row.decode(column: "totp_enabled_at", as: Int64?.self).map(Millis.date)
        totpLastStep = try row.decode(column: "totp_last_step", as: Int64?.self)
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
    }

    public init(
        id: String, tenantID: String, email: String, name: String = "", passwordHash: String, role: Role, isHubAdmin: Bool = false,
        createdAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
        self.role = role
        self.isHubAdmin = isHubAdmin
        self.createdAt = createdAt
    }
}
