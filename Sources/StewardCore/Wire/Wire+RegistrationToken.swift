import Foundation

extension Wire {
    /// Operator API for registration tokens: `/api/v1/registration-tokens`.
    public enum RegistrationToken {
        /// `POST /api/v1/registration-tokens`. Every field is optional.
        public struct CreateRequest: Codable, Sendable {
            public var description: String?
            /// An absolute expiry. Give this or `expiresInSeconds`, not both.
            public var expiresAt: Date?
            public var expiresInSeconds: Int?
            /// How many enrollments the token allows; default 1, 0 means unlimited.
            public var maxUses: Int?
            /// Labels every server enrolled with this token receives.
            public var labels: [String: String]?

            public init(
                description: String? = nil,
                expiresAt: Date? = nil,
                expiresInSeconds: Int? = nil,
                maxUses: Int? = nil,
                labels: [String: String]? = nil
            ) {
                self.description = description
                self.expiresAt = expiresAt
                self.expiresInSeconds = expiresInSeconds
                self.maxUses = maxUses
                self.labels = labels
            }

            enum CodingKeys: String, CodingKey {
                case description
                case expiresAt = "expires_at"
                case expiresInSeconds = "expires_in_seconds"
                case maxUses = "max_uses"
                case labels
            }
        }

        /// Whether a token can still enroll a server, and if not, why.
        public enum Status: String, Codable, Sendable, CaseIterable {
            case active
            case expired
            case usedUp = "used_up"
            case revoked
        }

        /// A token as listed: everything but its value, which exists only in ``Created``.
        public struct Info: Codable, Sendable, Equatable {
            public var id: String
            public var description: String
            public var labels: [String: String]
            public var maxUses: Int
            public var uses: Int
            public var expiresAt: Date?
            public var revokedAt: Date?
            public var createdAt: Date
            public var createdBy: String
            public var status: Status

            public init(
                id: String,
                description: String,
                labels: [String: String],
                maxUses: Int,
                uses: Int,
                expiresAt: Date?,
                revokedAt: Date?,
                createdAt: Date,
                createdBy: String,
                status: Status
            ) {
                self.id = id
                self.description = description
                self.labels = labels
                self.maxUses = maxUses
                self.uses = uses
                self.expiresAt = expiresAt
                self.revokedAt = revokedAt
                self.createdAt = createdAt
                self.createdBy = createdBy
                self.status = status
            }

            enum CodingKeys: String, CodingKey {
                case id, description, labels, uses, status
                case maxUses = "max_uses"
                case expiresAt = "expires_at"
                case revokedAt = "revoked_at"
                case createdAt = "created_at"
                case createdBy = "created_by"
            }
        }

        /// The answer to a creation: the token's value, shown this once and never again.
        public struct Created: Codable, Sendable, Equatable {
            public var token: String
            public var info: Info
            /// The fingerprint of the hub's signing key (``HubKeyFingerprint``), for the agent's
            /// `--hub-key`: an agent given it refuses to enroll with a hub that presents another key.
            public var hubKey: String

            public init(token: String, info: Info, hubKey: String) {
                self.token = token
                self.info = info
                self.hubKey = hubKey
            }

            enum CodingKeys: String, CodingKey {
                case token
                case info = "registration_token"
                case hubKey = "hub_key"
            }
        }
    }

    /// A list answer: `{"items": [...]}`, so fields can be added later without breaking clients.
    public struct ItemList<Item: Codable & Sendable>: Codable, Sendable {
        public var items: [Item]

        public init(items: [Item]) {
            self.items = items
        }
    }
}
