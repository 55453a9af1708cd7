import Foundation

extension Wire {
    /// Rollouts (`/api/v1/rollouts`): the same install, upgrade or step job on every server a label
    /// selector picks, in batches.
    public enum Rollouts {
        /// `POST /api/v1/rollouts`. `action` is `install` (of `app_id` with `inputs`), `upgrade` (of
        /// each server's installation of `app_id`) or `steps` (`steps`, as `POST /api/v1/jobs`).
        /// Batches of `batch_size` servers (default 1) run one after the other, `pause_seconds` apart;
        /// when more than `max_failures` servers (default 0) failed, `on_failure` `stop` (the default)
        /// leaves the rest undone and `continue` goes on.
        public struct Request: Codable, Sendable, Equatable {
            public var action: String
            public var appID: String?
            public var inputs: [String: InputValue]?
            public var steps: [Job.Step]?
            public var timeoutSeconds: Int?
            public var selector: Alerting.Selector
            public var batchSize: Int?
            public var maxFailures: Int?
            public var pauseSeconds: Int?
            public var onFailure: String?

            public init(
                action: String, appID: String? = nil, inputs: [String: InputValue]? = nil, steps: [Job.Step]? = nil,
                timeoutSeconds: Int? = nil, selector: Alerting.Selector, batchSize: Int? = nil, maxFailures: Int? = nil,
                pauseSeconds: Int? = nil, onFailure: String? = nil
            ) {
                self.action = action
                self.appID = appID
                self.inputs = inputs
                self.steps = steps
                self.timeoutSeconds = timeoutSeconds
                self.selector = selector
                self.batchSize = batchSize
                self.maxFailures = maxFailures
                self.pauseSeconds = pauseSeconds
                self.onFailure = onFailure
            }

            enum CodingKeys: String, CodingKey {
                case action, inputs, steps, selector
                case appID = "app_id"
                case timeoutSeconds = "timeout_seconds"
                case batchSize = "batch_size"
                case maxFailures = "max_failures"
                case pauseSeconds = "pause_seconds"
                case onFailure = "on_failure"
            }
        }

        /// One server of a rollout: its batch, its job once queued, and how it went (`pending`,
        /// `queued`, `running`, `succeeded`, `failed`, `skipped`, `cancelled`).
        public struct Target: Codable, Sendable, Equatable {
            public var serverID: String
            public var batch: Int
            public var jobID: String?
            public var status: String
            public var error: String?

            public init(serverID: String, batch: Int, jobID: String?, status: String, error: String? = nil) {
                self.serverID = serverID
                self.batch = batch
                self.jobID = jobID
                self.status = status
                self.error = error
            }

            enum CodingKeys: String, CodingKey {
                case batch, status, error
                case serverID = "server_id"
                case jobID = "job_id"
            }
        }

        /// A rollout: `running`, then `succeeded`, `failed` (more than `max_failures` servers failed)
        /// or `cancelled`.
        public struct Info: Codable, Sendable, Equatable {
            public var id: String
            public var status: String
            public var action: String
            public var appID: String?
            public var selector: Alerting.Selector
            public var batchSize: Int
            public var maxFailures: Int
            public var pauseSeconds: Int
            public var onFailure: String
            public var failures: Int
            public var servers: [Target]
            public var createdBy: String
            public var createdAt: Date
            public var finishedAt: Date?

            public init(
                id: String, status: String, action: String, appID: String?, selector: Alerting.Selector, batchSize: Int, maxFailures: Int,
                pauseSeconds: Int, onFailure: String, failures: Int, servers: [Target], createdBy: String, createdAt: Date,
                finishedAt: Date?
            ) {
                self.id = id
                self.status = status
                self.action = action
                self.appID = appID
                self.selector = selector
                self.batchSize = batchSize
                self.maxFailures = maxFailures
                self.pauseSeconds = pauseSeconds
                self.onFailure = onFailure
                self.failures = failures
                self.servers = servers
                self.createdBy = createdBy
                self.createdAt = createdAt
                self.finishedAt = finishedAt
            }

            enum CodingKeys: String, CodingKey {
                case id, status, action, selector, failures, servers
                case appID = "app_id"
                case batchSize = "batch_size"
                case maxFailures = "max_failures"
                case pauseSeconds = "pause_seconds"
                case onFailure = "on_failure"
                case createdBy = "created_by"
                case createdAt = "created_at"
                case finishedAt = "finished_at"
            }
        }
    }
}
