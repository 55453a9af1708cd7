import Foundation

extension Wire {
    /// Docker containers on a server: what its agent reports (`POST /api/v1/agent/containers`) and
    /// operators read (`GET /api/v1/servers/{id}/containers`). Environment values whose names look
    /// secret are masked by the agent; they never leave the server.
    public enum Containers {
        public struct Container: Codable, Sendable, Equatable {
            public var id: String
            public var name: String
            public var image: String
            /// Docker's state: `created`, `running`, `paused`, `restarting`, `removing`, `exited`, `dead`.
            public var state: String
            /// Docker's own summary, such as `Up 3 minutes (healthy)`.
            public var status: String
            /// `healthy`, `unhealthy` or `starting`, for containers with a health check.
            public var health: String?
            public var restartCount: Int
            public var exitCode: Int?
            public var oomKilled: Bool
            /// Published ports, such as `0.0.0.0:8080->80/tcp`.
            public var ports: [String]
            public var createdAt: Date?
            public var startedAt: Date?
            public var cpuPercent: Double?
            public var memoryBytes: Int64?
            public var memoryLimitBytes: Int64?
            /// `KEY=value`, with secret-looking values replaced by `****`.
            public var env: [String]

            public init(
                id: String, name: String, image: String, state: String, status: String, health: String?, restartCount: Int,
                exitCode: Int?, oomKilled: Bool, ports: [String], createdAt: Date?, startedAt: Date?, cpuPercent: Double?,
                memoryBytes: Int64?, memoryLimitBytes: Int64?, env: [String]
            ) {
                self.id = id
                self.name = name
                self.image = image
                self.state = state
                self.status = status
                self.health = health
                self.restartCount = restartCount
                self.exitCode = exitCode
                self.oomKilled = oomKilled
                self.ports = ports
                self.createdAt = createdAt
                self.startedAt = startedAt
                self.cpuPercent = cpuPercent
                self.memoryBytes = memoryBytes
                self.memoryLimitBytes = memoryLimitBytes
                self.env = env
            }

            enum CodingKeys: String, CodingKey {
                case id, name, image, state, status, health, ports, env
                case restartCount = "restart_count"
                case exitCode = "exit_code"
                case oomKilled = "oom_killed"
                case createdAt = "created_at"
                case startedAt = "started_at"
                case cpuPercent = "cpu_percent"
                case memoryBytes = "memory_bytes"
                case memoryLimitBytes = "memory_limit_bytes"
            }
        }

        /// Something Docker said happened to a container: `die` (with its exit code), `oom`,
        /// `restart`, or `health_status` (with the new health).
        public struct Event: Codable, Sendable, Equatable {
            public var at: Date
            public var containerID: String
            public var name: String
            public var action: String
            public var exitCode: Int?
            public var health: String?

            public init(at: Date, containerID: String, name: String, action: String, exitCode: Int? = nil, health: String? = nil) {
                self.at = at
                self.containerID = containerID
                self.name = name
                self.action = action
                self.exitCode = exitCode
                self.health = health
            }

            enum CodingKeys: String, CodingKey {
                case at, name, action, health
                case containerID = "container_id"
                case exitCode = "exit_code"
            }
        }

        /// Every container of the server now, the events since the last report, and, when the hub
        /// asked for them, the lines each running container logged since the last report.
        public struct Report: Codable, Sendable {
            public var containers: [Container]
            public var events: [Event]
            public var logs: [LogTail]?

            public init(containers: [Container], events: [Event], logs: [LogTail]? = nil) {
                self.containers = containers
                self.events = events
                self.logs = logs
            }
        }

        /// Lines one container logged (stdout and stderr), newest last, secrets of its environment masked.
        public struct LogTail: Codable, Sendable, Equatable {
            public var containerID: String
            public var name: String
            public var lines: [String]

            public init(containerID: String, name: String, lines: [String]) {
                self.containerID = containerID
                self.name = name
                self.lines = lines
            }

            enum CodingKeys: String, CodingKey {
                case name, lines
                case containerID = "container_id"
            }
        }

        /// The hub's answer to a report: how many of each container's newest log lines to send with
        /// the next (0: none; only log rules that read container logs make the hub ask).
        public struct ReportAnswer: Codable, Sendable, Equatable {
            public var logTailLines: Int

            public init(logTailLines: Int) {
                self.logTailLines = logTailLines
            }

            enum CodingKeys: String, CodingKey {
                case logTailLines = "log_tail_lines"
            }
        }

        /// `GET /api/v1/servers/{id}/containers`: `reported_at` is when the agent last reported
        /// (`nil`: never, the server has no Docker or its agent does not watch it).
        public struct List: Codable, Sendable {
            public var items: [Container]
            public var reportedAt: Date?

            public init(items: [Container], reportedAt: Date?) {
                self.items = items
                self.reportedAt = reportedAt
            }

            enum CodingKeys: String, CodingKey {
                case items
                case reportedAt = "reported_at"
            }
        }
    }
}
