import Foundation

extension Wire {
    /// What a licensed hub reports: aggregates over one window of time, never a row of its data.
    /// Every member is declared in ``TelemetryAllowList/window``; a test holds the two together.
    public enum Telemetry {
        public struct Window: Codable, Sendable, Equatable {
            public var instanceID: String
            public var windowStart: Date
            public var windowEnd: Date
            public var hubVersion: String
            public var database: String
            public var users: Int
            public var servers: Servers
            /// Agents by version.
            public var agentVersions: [String: Int]
            public var jobs: [JobAggregate]
            /// Jobs that ended without success in the window, by how they ended.
            public var errorCodes: [String: Int]
            /// Installed apps of the built-in catalog by name; the hub's own apps as `other`.
            public var appsInstalled: [String: Int]

            public init(
                instanceID: String, windowStart: Date, windowEnd: Date, hubVersion: String, database: String, users: Int, servers: Servers,
                agentVersions: [String: Int], jobs: [JobAggregate], errorCodes: [String: Int], appsInstalled: [String: Int]
            ) {
                self.instanceID = instanceID
                self.windowStart = windowStart
                self.windowEnd = windowEnd
                self.hubVersion = hubVersion
                self.database = database
                self.users = users
                self.servers = servers
                self.agentVersions = agentVersions
                self.jobs = jobs
                self.errorCodes = errorCodes
                self.appsInstalled = appsInstalled
            }

            enum CodingKeys: String, CodingKey {
                case database, users, servers, jobs
                case instanceID = "instance_id"
                case windowStart = "window_start"
                case windowEnd = "window_end"
                case hubVersion = "hub_version"
                case agentVersions = "agent_versions"
                case errorCodes = "error_codes"
                case appsInstalled = "apps_installed"
            }
        }

        public struct Servers: Codable, Sendable, Equatable {
            public var total: Int
            public var byStatus: [String: Int]
            /// `debian-12`, `ubuntu-24`, … or `other`.
            public var byOS: [String: Int]

            public init(total: Int, byStatus: [String: Int], byOS: [String: Int]) {
                self.total = total
                self.byStatus = byStatus
                self.byOS = byOS
            }

            enum CodingKeys: String, CodingKey {
                case total
                case byStatus = "by_status"
                case byOS = "by_os"
            }
        }

        /// Jobs of one kind, status and app that finished in the window, and how long they ran.
        public struct JobAggregate: Codable, Sendable, Equatable {
            public var kind: String
            public var status: String
            /// The app of an app job (or `other`); absent for steps.
            public var app: String?
            public var count: Int
            public var p50Ms: Double
            public var p95Ms: Double

            public init(kind: String, status: String, app: String?, count: Int, p50Ms: Double, p95Ms: Double) {
                self.kind = kind
                self.status = status
                self.app = app
                self.count = count
                self.p50Ms = p50Ms
                self.p95Ms = p95Ms
            }

            enum CodingKeys: String, CodingKey {
                case kind, status, app, count
                case p50Ms = "p50_ms"
                case p95Ms = "p95_ms"
            }
        }
    }
}
