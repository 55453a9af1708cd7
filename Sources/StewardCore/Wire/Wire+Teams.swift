import Foundation

extension Wire {
    /// `/api/v1/users`: the members of the current tenant.
    public enum User {
        public struct Info: Codable, Sendable, Equatable {
            public var id: String
            public var email: String
            public var name: String
            /// The role in the current tenant.
            public var role: String
            public var disabled: Bool
            public var hubAdmin: Bool
            public var memberSince: Date

            public init(id: String, email: String, name: String, role: String, disabled: Bool, hubAdmin: Bool, memberSince: Date) {
                self.id = id
                self.email = email
                self.name = name
                self.role = role
                self.disabled = disabled
                self.hubAdmin = hubAdmin
                self.memberSince = memberSince
            }

            enum CodingKeys: String, CodingKey {
                case id, email, name, role, disabled
                case hubAdmin = "hub_admin"
                case memberSince = "member_since"
            }
        }

        /// `PATCH /api/v1/users/{id}`: either field or both.
        public struct UpdateRequest: Codable, Sendable {
            public var role: String?
            public var disabled: Bool?

            public init(role: String? = nil, disabled: Bool? = nil) {
                self.role = role
                self.disabled = disabled
            }
        }

        /// `POST /api/v1/me/password`.
        public struct PasswordChange: Codable, Sendable {
            public var currentPassword: String
            public var newPassword: String

            public init(currentPassword: String, newPassword: String) {
                self.currentPassword = currentPassword
                self.newPassword = newPassword
            }

            enum CodingKeys: String, CodingKey {
                case currentPassword = "current_password"
                case newPassword = "new_password"
            }
        }
    }

    /// A destructive action's body: the name of what goes, typed again.
    public struct Confirmation: Codable, Sendable {
        public var confirm: String?

        public init(confirm: String?) { self.confirm = confirm }
    }

    /// `/api/v1/invitations`.
    public enum Invitation {
        public struct CreateRequest: Codable, Sendable {
            public var email: String
            public var role: String

            public init(email: String, role: String) {
                self.email = email
                self.role = role
            }
        }

        public struct Info: Codable, Sendable, Equatable {
            public var id: String
            public var email: String
            public var role: String
            /// `open`, `accepted`, `revoked` or `expired`.
            public var status: String
            public var createdBy: String
            public var createdAt: Date
            public var expiresAt: Date

            public init(
                id: String, email: String, role: String, status: String, createdBy: String, createdAt: Date, expiresAt: Date
            ) {
                self.id = id
                self.email = email
                self.role = role
                self.status = status
                self.createdBy = createdBy
                self.createdAt = createdAt
                self.expiresAt = expiresAt
            }

            enum CodingKeys: String, CodingKey {
                case id, email, role, status
                case createdBy = "created_by"
                case createdAt = "created_at"
                case expiresAt = "expires_at"
            }
        }

        /// The answer to a new invitation: the token is shown this once.
        public struct Created: Codable, Sendable {
            public var token: String
            public var invitation: Info
            public var acceptURL: String
            /// Whether the link was also e-mailed to the invited address (the hub has `--smtp-url`).
            public var mailed: Bool

            public init(token: String, invitation: Info, acceptURL: String, mailed: Bool = false) {
                self.token = token
                self.invitation = invitation
                self.acceptURL = acceptURL
                self.mailed = mailed
            }

            enum CodingKeys: String, CodingKey {
                case token, invitation, mailed
                case acceptURL = "accept_url"
            }
        }

        /// `POST /api/v1/invitations/accept` (no authentication: the token is the credential).
        public struct AcceptRequest: Codable, Sendable {
            public var token: String
            public var name: String
            public var password: String

            public init(token: String, name: String, password: String) {
                self.token = token
                self.name = name
                self.password = password
            }
        }
    }

    /// `/api/v1/api-tokens`: personal tokens of the calling user in the current tenant.
    public enum APIToken {
        public struct CreateRequest: Codable, Sendable {
            public var name: String?
            public var expiresAt: Date?
            /// At most the creator's role; default the creator's.
            public var role: String?

            public init(name: String? = nil, expiresAt: Date? = nil, role: String? = nil) {
                self.name = name
                self.expiresAt = expiresAt
                self.role = role
            }

            enum CodingKeys: String, CodingKey {
                case name, role
                case expiresAt = "expires_at"
            }
        }

        public struct Info: Codable, Sendable, Equatable {
            public var id: String
            public var name: String
            public var tenantID: String
            /// The role it acts with; `nil`: its user's.
            public var role: String?
            public var createdAt: Date
            public var expiresAt: Date?
            public var lastUsedAt: Date?

            public init(
                id: String, name: String, tenantID: String, role: String?, createdAt: Date, expiresAt: Date?, lastUsedAt: Date?
            ) {
                self.id = id
                self.name = name
                self.tenantID = tenantID
                self.role = role
                self.createdAt = createdAt
                self.expiresAt = expiresAt
                self.lastUsedAt = lastUsedAt
            }

            enum CodingKeys: String, CodingKey {
                case id, name, role
                case tenantID = "tenant_id"
                case createdAt = "created_at"
                case expiresAt = "expires_at"
                case lastUsedAt = "last_used_at"
            }
        }

        /// A new token: shown this once.
        public struct Created: Codable, Sendable {
            public var token: String
            public var apiToken: Info

            public init(token: String, apiToken: Info) {
                self.token = token
                self.apiToken = apiToken
            }

            enum CodingKeys: String, CodingKey {
                case token
                case apiToken = "api_token"
            }
        }

        /// `POST /api/v1/auth/tokens` (no authentication): a token for the CLI and automation.
        public struct SignInRequest: Codable, Sendable {
            public var email: String
            public var password: String
            public var otp: String?
            public var name: String?
            /// An id or slug; default the user's first tenant.
            public var tenant: String?

            public init(email: String, password: String, otp: String? = nil, name: String? = nil, tenant: String? = nil) {
                self.email = email
                self.password = password
                self.otp = otp
                self.name = name
                self.tenant = tenant
            }
        }
    }

    /// `/api/v1/tenants`.
    public enum Tenant {
        public struct Info: Codable, Sendable, Equatable {
            public var id: String
            public var name: String
            public var slug: String
            public var maxUsers: Int?
            public var requireTwoFactor: Bool
            /// The caller's role there (hub administrators who are not members see `owner`).
            public var role: String
            public var createdAt: Date

            public init(
                id: String, name: String, slug: String, maxUsers: Int?, requireTwoFactor: Bool, role: String, createdAt: Date
            ) {
                self.id = id
                self.name = name
                self.slug = slug
                self.maxUsers = maxUsers
                self.requireTwoFactor = requireTwoFactor
                self.role = role
                self.createdAt = createdAt
            }

            enum CodingKeys: String, CodingKey {
                case id, name, slug, role
                case maxUsers = "max_users"
                case requireTwoFactor = "require_two_factor"
                case createdAt = "created_at"
            }
        }

        /// `POST /api/v1/tenants` and `PATCH /api/v1/tenants/{id}` (every field optional there).
        public struct Request: Codable, Sendable {
            public var name: String?
            public var slug: String?
            public var maxUsers: Int?
            public var requireTwoFactor: Bool?

            public init(name: String? = nil, slug: String? = nil, maxUsers: Int? = nil, requireTwoFactor: Bool? = nil) {
                self.name = name
                self.slug = slug
                self.maxUsers = maxUsers
                self.requireTwoFactor = requireTwoFactor
            }

            enum CodingKeys: String, CodingKey {
                case name, slug
                case maxUsers = "max_users"
                case requireTwoFactor = "require_two_factor"
            }
        }
    }
}

extension Wire {
    /// `/api/v1/me/totp`: two-factor sign-in of the calling user.
    public enum TwoFactor {
        /// `POST /api/v1/me/totp`: a new secret to put in an authenticator app; on once confirmed.
        public struct Setup: Codable, Sendable {
            /// Base32, for typing in.
            public var secret: String
            public var otpauthURI: String

            public init(secret: String, otpauthURI: String) {
                self.secret = secret
                self.otpauthURI = otpauthURI
            }

            enum CodingKeys: String, CodingKey {
                case secret
                case otpauthURI = "otpauth_uri"
            }
        }

        /// A current code (or, where it says so, a backup code).
        public struct Code: Codable, Sendable {
            public var otp: String

            public init(otp: String) { self.otp = otp }
        }

        /// New backup codes, shown once.
        public struct BackupCodes: Codable, Sendable {
            public var backupCodes: [String]

            public init(backupCodes: [String]) { self.backupCodes = backupCodes }

            enum CodingKeys: String, CodingKey {
                case backupCodes = "backup_codes"
            }
        }
    }
}

extension Wire {
    /// `GET /api/v1/me/sessions`: the caller's console sessions.
    public struct Session: Codable, Sendable, Equatable {
        public var id: String
        public var sourceAddress: String
        public var userAgent: String
        public var createdAt: Date
        public var lastSeenAt: Date
        public var expiresAt: Date

        public init(id: String, sourceAddress: String, userAgent: String, createdAt: Date, lastSeenAt: Date, expiresAt: Date) {
            self.id = id
            self.sourceAddress = sourceAddress
            self.userAgent = userAgent
            self.createdAt = createdAt
            self.lastSeenAt = lastSeenAt
            self.expiresAt = expiresAt
        }

        enum CodingKeys: String, CodingKey {
            case id
            case sourceAddress = "source_address"
            case userAgent = "user_agent"
            case createdAt = "created_at"
            case lastSeenAt = "last_seen_at"
            case expiresAt = "expires_at"
        }
    }
}
