import Foundation

extension Wire {
    /// Enrollment: `POST /api/v1/agent/register`.
    public enum Registration {
        public struct Request: Codable, Sendable {
            public var token: String
            public var hostname: String
            public var facts: Facts

            public init(token: String, hostname: String, facts: Facts) {
                self.token = token
                self.hostname = hostname
                self.facts = facts
            }
        }

        /// The agent's credentials. The secret is shown only in this response.
        public struct Response: Codable, Sendable, Equatable {
            public var agentID: String
            public var agentSecret: String
            public var serverID: String
            public var heartbeatIntervalSeconds: Int
            /// The hub's Ed25519 public key (raw representation, base64), pinned by the agent.
            public var hubPublicKey: String

            public init(
                agentID: String,
                agentSecret: String,
                serverID: String,
                heartbeatIntervalSeconds: Int,
                hubPublicKey: String
            ) {
                self.agentID = agentID
                self.agentSecret = agentSecret
                self.serverID = serverID
                self.heartbeatIntervalSeconds = heartbeatIntervalSeconds
                self.hubPublicKey = hubPublicKey
            }

            enum CodingKeys: String, CodingKey {
                case agentID = "agent_id"
                case agentSecret = "agent_secret"
                case serverID = "server_id"
                case heartbeatIntervalSeconds = "heartbeat_interval_seconds"
                case hubPublicKey = "hub_public_key"
            }
        }
    }

    /// Liveness: `POST /api/v1/agent/heartbeat`, authenticated as the agent.
    public enum Heartbeat {
        public struct Request: Codable, Sendable {
            /// Present only when the facts changed since the last accepted heartbeat (or after a restart).
            public var facts: Facts?

            public init(facts: Facts?) {
                self.facts = facts
            }
        }

        public struct Response: Codable, Sendable, Equatable {
            public var heartbeatIntervalSeconds: Int

            public init(heartbeatIntervalSeconds: Int) {
                self.heartbeatIntervalSeconds = heartbeatIntervalSeconds
            }

            enum CodingKeys: String, CodingKey {
                case heartbeatIntervalSeconds = "heartbeat_interval_seconds"
            }
        }
    }

    /// How an agent proves who it is on every request after enrollment: `Authorization: Bearer <agent id>:<secret>`.
    public struct AgentCredential: Sendable, Equatable {
        public var agentID: String
        public var secret: String

        public init(agentID: String, secret: String) {
            self.agentID = agentID
            self.secret = secret
        }

        public var bearerValue: String { "\(agentID):\(secret)" }

        public init?(bearerValue: String) {
            guard let colon = bearerValue.firstIndex(of: ":") else { return nil }
            let agentID = String(bearerValue[..<colon])
            let secret = String(bearerValue[bearerValue.index(after: colon)...])
            guard !agentID.isEmpty, !secret.isEmpty else { return nil }
            self.init(agentID: agentID, secret: secret)
        }
    }
}
