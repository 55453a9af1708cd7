import Foundation

extension Wire {
    /// Schedules (`/api/v1/schedules`): a cron expression in a time zone and what to do when it fires.
    public enum Schedules {
        /// What a schedule does when it fires: one of an installation's jobs (`installation_id` and
        /// `job`: `backup`, `health` or `upgrade`), a step job (`server_id` and `steps`, as
        /// `POST /api/v1/jobs`), or a rollout (`action`, `selector` and the rest, as `POST /api/v1/rollouts`).
        public struct Action: Codable, Sendable, Equatable {
            public var installationID: String?
            public var job: String?
            public var serverID: String?
            public var steps: [Job.Step]?
            public var timeoutSeconds: Int?
            public var rollout: Rollouts.Request?

            public init(
                installationID: String? = nil, job: String? = nil, serverID: String? = nil, steps: [Job.Step]? = nil,
                timeoutSeconds: Int? = nil, rollout: Rollouts.Request? = nil
            ) {
                self.installationID = installationID
                self.job = job
                self.serverID = serverID
                self.steps = steps
                self.timeoutSeconds = timeoutSeconds
                self.rollout = rollout
            }

            enum CodingKeys: String, CodingKey {
                case job, steps
                case installationID = "installation_id"
                case serverID = "server_id"
                case timeoutSeconds = "timeout_seconds"
            }

            /// A rollout's fields sit beside the others (`{"action": "upgrade", "selector": …}`).
            public init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                installationID = try container.decodeIfPresent(String.self, forKey: .installationID)
                job = try container.decodeIfPresent(String.self, forKey: .job)
                serverID = try container.decodeIfPresent(String.self, forKey: .serverID)
                steps = try container.decodeIfPresent([Job.Step].self, forKey: .steps)
                timeoutSeconds = try container.decodeIfPresent(Int.self, forKey: .timeoutSeconds)
                let other = try decoder.container(keyedBy: Rollouts.Request.CodingKeys.self)
                rollout = other.contains(.selector) ? try Rollouts.Request(from: decoder) : nil
            }

            public func encode(to encoder: any Encoder) throws {
                if let rollout { return try rollout.encode(to: encoder) }
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encodeIfPresent(installationID, forKey: .installationID)
                try container.encodeIfPresent(job, forKey: .job)
                try container.encodeIfPresent(serverID, forKey: .serverID)
                try container.encodeIfPresent(steps, forKey: .steps)
                try container.encodeIfPresent(timeoutSeconds, forKey: .timeoutSeconds)
            }
        }

        /// `POST /api/v1/schedules`. `missed` says what happens to a fire time that passed while no
        /// hub ran: `skip` it (the default) or `run_once` when a hub is back.
        public struct Request: Codable, Sendable {
            public var name: String?
            public var cron: String
            public var timeZone: String?
            public var missed: String?
            public var enabled: Bool?
            public var action: Action

            public init(
                name: String? = nil, cron: String, timeZone: String? = nil, missed: String? = nil, enabled: Bool? = nil, action: Action
            ) {
                self.name = name
                self.cron = cron
                self.timeZone = timeZone
                self.missed = missed
                self.enabled = enabled
                self.action = action
            }

            enum CodingKeys: String, CodingKey {
                case name, cron, missed, enabled, action
                case timeZone = "time_zone"
            }
        }

        /// `PATCH /api/v1/schedules/{id}`: the fields given replace the schedule's.
        public struct Patch: Codable, Sendable {
            public var name: String?
            public var cron: String?
            public var timeZone: String?
            public var missed: String?
            public var enabled: Bool?

            public init(name: String? = nil, cron: String? = nil, timeZone: String? = nil, missed: String? = nil, enabled: Bool? = nil) {
                self.name = name
                self.cron = cron
                self.timeZone = timeZone
                self.missed = missed
                self.enabled = enabled
            }

            enum CodingKeys: String, CodingKey {
                case name, cron, missed, enabled
                case timeZone = "time_zone"
            }
        }

        /// How the last fire time went: the job or rollout it made, or why it made none.
        public struct Outcome: Codable, Sendable, Equatable {
            public var at: Date
            public var jobID: String?
            public var rolloutID: String?
            public var error: String?
            /// The fire time passed while no hub ran, and the schedule skips such times.
            public var skipped: Bool?

            public init(at: Date, jobID: String? = nil, rolloutID: String? = nil, error: String? = nil, skipped: Bool? = nil) {
                self.at = at
                self.jobID = jobID
                self.rolloutID = rolloutID
                self.error = error
                self.skipped = skipped
            }

            enum CodingKeys: String, CodingKey {
                case at, error, skipped
                case jobID = "job_id"
                case rolloutID = "rollout_id"
            }
        }

        public struct Info: Codable, Sendable, Equatable {
            public var id: String
            public var name: String
            public var cron: String
            public var timeZone: String
            public var missed: String
            public var enabled: Bool
            /// With secret values (file contents, `env.set` values, passwords) masked.
            public var action: Action
            public var nextRunAt: Date?
            public var lastRunAt: Date?
            public var lastOutcome: Outcome?
            public var createdBy: String
            public var createdAt: Date

            public init(
                id: String, name: String, cron: String, timeZone: String, missed: String, enabled: Bool, action: Action, nextRunAt: Date?,
                lastRunAt: Date?, lastOutcome: Outcome?, createdBy: String, createdAt: Date
            ) {
                self.id = id
                self.name = name
                self.cron = cron
                self.timeZone = timeZone
                self.missed = missed
                self.enabled = enabled
                self.action = action
                self.nextRunAt = nextRunAt
                self.lastRunAt = lastRunAt
                self.lastOutcome = lastOutcome
                self.createdBy = createdBy
                self.createdAt = createdAt
            }

            enum CodingKeys: String, CodingKey {
                case id, name, cron, missed, enabled, action
                case timeZone = "time_zone"
                case nextRunAt = "next_run_at"
                case lastRunAt = "last_run_at"
                case lastOutcome = "last_outcome"
                case createdBy = "created_by"
                case createdAt = "created_at"
            }
        }
    }
}
