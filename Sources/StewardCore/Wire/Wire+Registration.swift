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
        /// Whether `id` can be a job id or a run id: 1 to 64 ASCII letters, digits and dashes.
        public static func isIdentifier(_ id: String) -> Bool {
            !id.isEmpty && id.utf8.count <= 64 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }

        /// A heartbeat says which attempts the agent runs: only those keep their leases. The first one
        /// after the agent starts says `fresh_start`, so that whatever the hub still thinks its previous
        /// life was running is lost at once (and retried by the exit-code contract) instead of for ever.
        public struct Request: Codable, Sendable {
            /// Present only when the facts changed since the last accepted heartbeat (or after a restart).
            public var facts: Facts?
            /// The attempts this agent holds now: running, or finished with a result not yet delivered.
            public var running: [AttemptRef]
            /// Whether this is the agent's first heartbeat since it started.
            public var freshStart: Bool
            /// With `fresh_start`: attempts of its previous life whose processes the agent found and stopped.
            public var abandoned: [AttemptRef]
            /// A random id the agent picks each time it starts, sent with `fresh_start` and with every
            /// long poll (`run_id`): a poll of an earlier run, whose process is gone, then takes no job.
            public var runID: String?

            /// No agent runs more than this many attempts at once (its concurrency is at most 16).
            public static let maxAttempts = 64

            public init(
                facts: Facts?, running: [AttemptRef] = [], freshStart: Bool = false, abandoned: [AttemptRef] = [], runID: String? = nil
            ) {
                self.facts = facts
                self.running = running
                self.freshStart = freshStart
                self.abandoned = abandoned
                self.runID = runID
            }

            public init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                facts = try container.decodeIfPresent(Facts.self, forKey: .facts)
                running = try container.decodeIfPresent([AttemptRef].self, forKey: .running) ?? []
                freshStart = try container.decodeIfPresent(Bool.self, forKey: .freshStart) ?? false
                abandoned = try container.decodeIfPresent([AttemptRef].self, forKey: .abandoned) ?? []
                runID = try container.decodeIfPresent(String.self, forKey: .runID)
            }

            enum CodingKeys: String, CodingKey {
                case facts, running, abandoned
                case freshStart = "fresh_start"
                case runID = "run_id"
            }

            /// What is wrong with the facts and the attempt lists, as field errors.
            public func problems() -> [FieldError] {
                var problems = facts?.problems() ?? []
                for (field, list) in [("running", running), ("abandoned", abandoned)] {
                    if list.count > Self.maxAttempts {
                        problems.append(.init(field: field, message: "at most \(Self.maxAttempts) attempts"))
                    }
                    for (index, attempt) in list.enumerated() where !attempt.isWellFormed {
                        problems.append(.init(field: "\(field)[\(index)]", message: "must name a job id and an attempt of 1 or more"))
                    }
                }
                if let runID, !Heartbeat.isIdentifier(runID) {
                    problems.append(.init(field: "run_id", message: "must be 1 to 64 letters, digits and dashes"))
                }
                return problems
            }
        }

        /// One attempt of one job.
        public struct AttemptRef: Codable, Sendable, Hashable {
            public var jobID: String
            public var attempt: Int

            public init(jobID: String, attempt: Int) {
                self.jobID = jobID
                self.attempt = attempt
            }

            var isWellFormed: Bool {
                attempt >= 1 && Heartbeat.isIdentifier(jobID)
            }

            enum CodingKeys: String, CodingKey {
                case attempt
                case jobID = "job_id"
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
