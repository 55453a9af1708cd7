import Foundation

extension Wire {
    /// A state change, as `GET /api/v1/events` streams it (Server-Sent Events, `event:` = ``kind``).
    ///
    /// Events are small on purpose: they say what changed and carry the few fields a list needs to
    /// update a row; a client that wants the whole job or server fetches it. They never carry input
    /// values or log text, so no secret can reach one.
    public struct Event: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable, CaseIterable {
            case jobQueued = "job.queued"
            case jobStarted = "job.started"
            /// New log bytes were stored; `log_bytes` is the log's new length.
            case jobLog = "job.log"
            /// A failed attempt will run again at `next_run_at`.
            case jobRetrying = "job.retrying"
            /// The job reached a final status (succeeded, failed, needs_attention, timed_out, dead, cancelled).
            case jobFinished = "job.finished"
            case serverEnrolled = "server.enrolled"
            case serverOnline = "server.online"
            case serverOffline = "server.offline"
            case serverRemoved = "server.removed"
            /// The server's agent delivered host metrics (the console redraws its charts).
            case metricsReported = "metrics.reported"
            /// An alert fired, was acknowledged or resolved (the console's alerts page refreshes).
            case alertChanged = "alert.changed"
        }

        public var kind: Kind
        public var at: Date
        public var tenantID: String
        public var serverID: String
        public var jobID: String?
        public var appID: String?
        public var status: String?
        public var attempt: Int?
        public var exitCode: Int?
        public var logBytes: Int64?
        public var nextRunAt: Date?

        public init(
            kind: Kind, at: Date, tenantID: String, serverID: String, jobID: String? = nil, appID: String? = nil, status: String? = nil,
            attempt: Int? = nil, exitCode: Int? = nil, logBytes: Int64? = nil, nextRunAt: Date? = nil
        ) {
            self.kind = kind
            self.at = at
            self.tenantID = tenantID
            self.serverID = serverID
            self.jobID = jobID
            self.appID = appID
            self.status = status
            self.attempt = attempt
            self.exitCode = exitCode
            self.logBytes = logBytes
            self.nextRunAt = nextRunAt
        }

        enum CodingKeys: String, CodingKey {
            case kind, at, status, attempt
            case tenantID = "tenant_id"
            case serverID = "server_id"
            case jobID = "job_id"
            case appID = "app_id"
            case exitCode = "exit_code"
            case logBytes = "log_bytes"
            case nextRunAt = "next_run_at"
        }
    }
}
