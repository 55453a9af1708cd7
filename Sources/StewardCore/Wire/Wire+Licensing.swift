import Foundation

extension Wire {
    /// The license service's API: organisations (clients), their hub instances, activation and the
    /// telemetry a licensed hub sends.
    public enum Licensing {
        /// What a license allows. `nil` limits are unlimited.
        public struct Entitlements: Codable, Sendable, Equatable {
            public var maxServers: Int?
            public var maxUsers: Int?
            public var expiresAt: Date?
            public var features: [String]

            public init(maxServers: Int? = nil, maxUsers: Int? = nil, expiresAt: Date? = nil, features: [String] = []) {
                self.maxServers = maxServers
                self.maxUsers = maxUsers
                self.expiresAt = expiresAt
                self.features = features
            }

            enum CodingKeys: String, CodingKey {
                case maxServers = "max_servers"
                case maxUsers = "max_users"
                case expiresAt = "expires_at"
                case features
            }
        }

        /// Where a license stands. Only `active` activates; `suspended` and `expired` licenses keep
        /// their telemetry key, so the hub learns its state; `deleted` ones keep nothing.
        public enum State: String, Codable, Sendable, CaseIterable {
            case active, suspended, expired, deleted
        }

        public struct Client: Codable, Sendable, Equatable {
            public var id: String
            public var name: String
            public var contactEmail: String?
            public var notes: String?
            public var createdAt: Date
            public var updatedAt: Date

            public init(id: String, name: String, contactEmail: String?, notes: String?, createdAt: Date, updatedAt: Date) {
                self.id = id
                self.name = name
                self.contactEmail = contactEmail
                self.notes = notes
                self.createdAt = createdAt
                self.updatedAt = updatedAt
            }

            enum CodingKeys: String, CodingKey {
                case id, name, notes
                case contactEmail = "contact_email"
                case createdAt = "created_at"
                case updatedAt = "updated_at"
            }
        }

        /// `POST /api/v1/admin/clients` and `PATCH /api/v1/admin/clients/{id}` (members left out stay as they are).
        public struct ClientRequest: Codable, Sendable {
            public var name: String?
            public var contactEmail: String?
            public var notes: String?

            public init(name: String? = nil, contactEmail: String? = nil, notes: String? = nil) {
                self.name = name
                self.contactEmail = contactEmail
                self.notes = notes
            }

            enum CodingKeys: String, CodingKey {
                case name, notes
                case contactEmail = "contact_email"
            }
        }

        public struct Instance: Codable, Sendable, Equatable {
            public var id: String
            public var clientID: String
            public var name: String
            public var state: State
            public var entitlements: Entitlements
            /// The fingerprint of the hub that activated it; `nil` until then.
            public var fingerprint: String?
            /// Whether the next activation may come from a different fingerprint.
            public var moveAllowed: Bool
            public var activatedAt: Date?
            public var lastTelemetryAt: Date?
            /// The hub version of the last activation or telemetry window.
            public var version: String?
            public var createdAt: Date

            public init(
                id: String, clientID: String, name: String, state: State, entitlements: Entitlements, fingerprint: String?,
                moveAllowed: Bool, activatedAt: Date?, lastTelemetryAt: Date?, version: String?, createdAt: Date
            ) {
                self.id = id
                self.clientID = clientID
                self.name = name
                self.state = state
                self.entitlements = entitlements
                self.fingerprint = fingerprint
                self.moveAllowed = moveAllowed
                self.activatedAt = activatedAt
                self.lastTelemetryAt = lastTelemetryAt
                self.version = version
                self.createdAt = createdAt
            }

            enum CodingKeys: String, CodingKey {
                case id, name, state, entitlements, fingerprint, version
                case clientID = "client_id"
                case moveAllowed = "move_allowed"
                case activatedAt = "activated_at"
                case lastTelemetryAt = "last_telemetry_at"
                case createdAt = "created_at"
            }
        }

        /// `POST /api/v1/admin/clients/{id}/instances`.
        public struct InstanceRequest: Codable, Sendable {
            public var name: String
            public var maxServers: Int?
            public var maxUsers: Int?
            public var expiresAt: Date?
            public var features: [String]?

            public init(name: String, maxServers: Int? = nil, maxUsers: Int? = nil, expiresAt: Date? = nil, features: [String]? = nil) {
                self.name = name
                self.maxServers = maxServers
                self.maxUsers = maxUsers
                self.expiresAt = expiresAt
                self.features = features
            }

            enum CodingKeys: String, CodingKey {
                case name, features
                case maxServers = "max_servers"
                case maxUsers = "max_users"
                case expiresAt = "expires_at"
            }
        }

        /// `PATCH /api/v1/admin/instances/{id}`: members left out stay as they are; a limit or date
        /// given as `null` is removed (no limit, no expiry).
        public struct InstancePatch: Codable, Sendable {
            public var name: String?
            public var maxServers: Int??
            public var maxUsers: Int??
            public var expiresAt: Date??
            public var features: [String]?

            public init(
                name: String? = nil, maxServers: Int?? = nil, maxUsers: Int?? = nil, expiresAt: Date?? = nil, features: [String]? = nil
            ) {
                self.name = name
                self.maxServers = maxServers
                self.maxUsers = maxUsers
                self.expiresAt = expiresAt
                self.features = features
            }

            public init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                /// Absent: `nil` (unchanged); `null`: `.some(nil)` (removed); a value: `.some(value)`.
                func present<T: Decodable>(_ key: CodingKeys, _ type: T.Type) throws -> T?? {
                    guard container.contains(key) else { return nil }
                    return .some(try container.decodeNil(forKey: key) ? nil : container.decode(T.self, forKey: key))
                }
                name = try container.decodeIfPresent(String.self, forKey: .name)
                maxServers = try present(.maxServers, Int.self)
                maxUsers = try present(.maxUsers, Int.self)
                expiresAt = try present(.expiresAt, Date.self)
                features = try container.decodeIfPresent([String].self, forKey: .features)
            }

            public func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encodeIfPresent(name, forKey: .name)
                if let maxServers { try container.encode(maxServers, forKey: .maxServers) }
                if let maxUsers { try container.encode(maxUsers, forKey: .maxUsers) }
                if let expiresAt { try container.encode(expiresAt, forKey: .expiresAt) }
                try container.encodeIfPresent(features, forKey: .features)
            }

            enum CodingKeys: String, CodingKey {
                case name, features
                case maxServers = "max_servers"
                case maxUsers = "max_users"
                case expiresAt = "expires_at"
            }
        }

        /// The answer to creating an instance or rotating its license: the key, shown this once.
        public struct IssuedLicense: Codable, Sendable {
            public var instance: Instance
            public var licenseKey: String

            public init(instance: Instance, licenseKey: String) {
                self.instance = instance
                self.licenseKey = licenseKey
            }

            enum CodingKeys: String, CodingKey {
                case instance
                case licenseKey = "license_key"
            }
        }

        /// The answer to `rotate-hub-key`: the new telemetry key, shown this once.
        public struct IssuedHubKey: Codable, Sendable {
            public var instance: Instance
            public var hubAPIKey: String

            public init(instance: Instance, hubAPIKey: String) {
                self.instance = instance
                self.hubAPIKey = hubAPIKey
            }

            enum CodingKeys: String, CodingKey {
                case instance
                case hubAPIKey = "hub_api_key"
            }
        }

        /// `POST /api/v1/instances/activate`.
        public struct ActivationRequest: Codable, Sendable {
            public var licenseKey: String
            /// A stable id of the hub installation (the hub sends a hash of its key's fingerprint).
            public var fingerprint: String
            public var version: String

            public init(licenseKey: String, fingerprint: String, version: String) {
                self.licenseKey = licenseKey
                self.fingerprint = fingerprint
                self.version = version
            }

            enum CodingKeys: String, CodingKey {
                case fingerprint, version
                case licenseKey = "license_key"
            }
        }

        public struct Activation: Codable, Sendable, Equatable {
            public var instanceID: String
            public var hubAPIKey: String
            public var entitlements: Entitlements

            public init(instanceID: String, hubAPIKey: String, entitlements: Entitlements) {
                self.instanceID = instanceID
                self.hubAPIKey = hubAPIKey
                self.entitlements = entitlements
            }

            enum CodingKeys: String, CodingKey {
                case entitlements
                case instanceID = "instance_id"
                case hubAPIKey = "hub_api_key"
            }
        }

        /// The answer to a telemetry window: whether it was new, what the redactor dropped, and the
        /// license as it stands now, so a hub learns of a suspension with its next window.
        public struct TelemetryReceipt: Codable, Sendable, Equatable {
            public var stored: Bool
            public var droppedFields: Int
            public var state: State
            public var entitlements: Entitlements

            public init(stored: Bool, droppedFields: Int, state: State, entitlements: Entitlements) {
                self.stored = stored
                self.droppedFields = droppedFields
                self.state = state
                self.entitlements = entitlements
            }

            enum CodingKeys: String, CodingKey {
                case stored, state, entitlements
                case droppedFields = "dropped_fields"
            }
        }

        /// One stored window, as the admin API lists it: only what the allow-list kept.
        public struct TelemetryRecord: Codable, Sendable, Equatable {
            public var windowStart: Date
            public var windowEnd: Date
            public var receivedAt: Date
            public var droppedFields: Int
            public var body: JSONValue

            public init(windowStart: Date, windowEnd: Date, receivedAt: Date, droppedFields: Int, body: JSONValue) {
                self.windowStart = windowStart
                self.windowEnd = windowEnd
                self.receivedAt = receivedAt
                self.droppedFields = droppedFields
                self.body = body
            }

            enum CodingKeys: String, CodingKey {
                case body
                case windowStart = "window_start"
                case windowEnd = "window_end"
                case receivedAt = "received_at"
                case droppedFields = "dropped_fields"
            }
        }

        /// `GET /api/v1/license` on a hub: where its license stands and what it counts against it.
        public struct HubStatus: Codable, Sendable, Equatable {
            /// `unlicensed` (no license service configured), `pending` (not activated yet), or the
            /// license's own state: `active`, `suspended`, `expired`, `deleted`.
            public var state: String
            public var instanceID: String?
            public var entitlements: Entitlements?
            /// When the license service last said where the license stands.
            public var checkedAt: Date?
            public var servers: Int
            /// Users who can sign in and open invitations.
            public var users: Int
            /// What operators should know, when anything.
            public var message: String?

            public init(
                state: String, instanceID: String?, entitlements: Entitlements?, checkedAt: Date?, servers: Int, users: Int,
                message: String?
            ) {
                self.state = state
                self.instanceID = instanceID
                self.entitlements = entitlements
                self.checkedAt = checkedAt
                self.servers = servers
                self.users = users
                self.message = message
            }

            enum CodingKeys: String, CodingKey {
                case state, entitlements, servers, users, message
                case instanceID = "instance_id"
                case checkedAt = "checked_at"
            }
        }
    }
}
