import Foundation

extension Wire {
    /// Operator API for the fleet inventory: `/api/v1/servers`.
    public enum Server {
        public enum Status: String, Codable, Sendable, CaseIterable {
            case online
            /// No heartbeat for three intervals.
            case offline
        }

        public struct Info: Codable, Sendable, Equatable {
            public var id: String
            public var name: String
            public var hostname: String
            public var labels: [String: String]
            public var facts: Facts
            public var agentVersion: String
            public var status: Status
            public var lastSeenAt: Date?
            public var enrolledAt: Date

            public init(
                id: String,
                name: String,
                hostname: String,
                labels: [String: String],
                facts: Facts,
                agentVersion: String,
                status: Status,
                lastSeenAt: Date?,
                enrolledAt: Date
            ) {
                self.id = id
                self.name = name
                self.hostname = hostname
                self.labels = labels
                self.facts = facts
                self.agentVersion = agentVersion
                self.status = status
                self.lastSeenAt = lastSeenAt
                self.enrolledAt = enrolledAt
            }

            enum CodingKeys: String, CodingKey {
                case id, name, hostname, labels, facts, status
                case agentVersion = "agent_version"
                case lastSeenAt = "last_seen_at"
                case enrolledAt = "enrolled_at"
            }
        }

        /// `PATCH /api/v1/servers/{id}`: a JSON merge patch. A label set to `null` is removed.
        public struct Patch: Codable, Sendable {
            public var name: String?
            public var labels: [String: String?]?

            public init(name: String? = nil, labels: [String: String?]? = nil) {
                self.name = name
                self.labels = labels
            }
        }
    }
}
