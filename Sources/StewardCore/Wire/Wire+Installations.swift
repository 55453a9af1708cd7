import Foundation

extension Wire {
    /// Installed apps (`/api/v1/installations`): what is installed where, with which inputs, how
    /// healthy, its backups, and the jobs that upgrade, reconfigure, back up, restore or remove it.
    public enum Installations {
        /// An installation as lists show it: secret inputs and outputs masked.
        public struct Item: Codable, Sendable, Equatable {
            public var id: String
            public var serverID: String
            public var appID: String
            /// The installed version; `nil` until the first install succeeded.
            public var version: String?
            /// `installing`, `installed`, `upgrading`, `failed` or `removed`.
            public var status: String
            /// Whether the catalog has another version than the installed one.
            public var upgradeAvailable: Bool
            public var availableVersion: String?
            public var lastHealth: Health?
            public var inputs: [String: String]
            public var outputs: [String: String]
            /// The install, upgrade, reconfigure, uninstall or restore now running on it.
            public var activeJobID: String?
            public var lastJobID: String?
            /// Seconds between scheduled health checks; 0 when they are off.
            public var healthIntervalSeconds: Int
            public var createdAt: Date
            public var updatedAt: Date

            public init(
                id: String, serverID: String, appID: String, version: String?, status: String, upgradeAvailable: Bool,
                availableVersion: String?, lastHealth: Health?, inputs: [String: String], outputs: [String: String],
                activeJobID: String?, lastJobID: String?, healthIntervalSeconds: Int, createdAt: Date, updatedAt: Date
            ) {
                self.id = id
                self.serverID = serverID
                self.appID = appID
                self.version = version
                self.status = status
                self.upgradeAvailable = upgradeAvailable
                self.availableVersion = availableVersion
                self.lastHealth = lastHealth
                self.inputs = inputs
                self.outputs = outputs
                self.activeJobID = activeJobID
                self.lastJobID = lastJobID
                self.healthIntervalSeconds = healthIntervalSeconds
                self.createdAt = createdAt
                self.updatedAt = updatedAt
            }

            enum CodingKeys: String, CodingKey {
                case id, version, status, inputs, outputs
                case serverID = "server_id"
                case appID = "app_id"
                case upgradeAvailable = "upgrade_available"
                case availableVersion = "available_version"
                case lastHealth = "last_health"
                case activeJobID = "active_job_id"
                case lastJobID = "last_job_id"
                case healthIntervalSeconds = "health_interval_seconds"
                case createdAt = "created_at"
                case updatedAt = "updated_at"
            }
        }

        /// How a health check ended.
        public struct Health: Codable, Sendable, Equatable {
            public var healthy: Bool
            public var exitCode: Int?
            public var jobID: String
            public var checkedAt: Date
            /// Why it was not healthy, when the hub knows (a timeout, a lost agent).
            public var detail: String?

            public init(healthy: Bool, exitCode: Int?, jobID: String, checkedAt: Date, detail: String? = nil) {
                self.healthy = healthy
                self.exitCode = exitCode
                self.jobID = jobID
                self.checkedAt = checkedAt
                self.detail = detail
            }

            enum CodingKeys: String, CodingKey {
                case healthy, detail
                case exitCode = "exit_code"
                case jobID = "job_id"
                case checkedAt = "checked_at"
            }
        }

        /// An archive on the installation's server: a backup an operator or a schedule asked for, or
        /// the snapshot taken before an upgrade.
        public struct Backup: Codable, Sendable, Equatable {
            public var id: String
            public var installationID: String
            /// `snapshot`, `manual` or `scheduled`.
            public var kind: String
            /// `pending`, `complete`, `failed`, or `pruned` once rotation removed it from the server.
            public var status: String
            public var jobID: String
            public var appVersion: String
            public var paths: [String]
            public var sizeBytes: Int64?
            public var sha256: String?
            public var durationMS: Int64?
            public var error: String?
            public var createdAt: Date
            public var finishedAt: Date?

            public init(
                id: String, installationID: String, kind: String, status: String, jobID: String, appVersion: String, paths: [String],
                sizeBytes: Int64?, sha256: String?, durationMS: Int64?, error: String?, createdAt: Date, finishedAt: Date?
            ) {
                self.id = id
                self.installationID = installationID
                self.kind = kind
                self.status = status
                self.jobID = jobID
                self.appVersion = appVersion
                self.paths = paths
                self.sizeBytes = sizeBytes
                self.sha256 = sha256
                self.durationMS = durationMS
                self.error = error
                self.createdAt = createdAt
                self.finishedAt = finishedAt
            }

            enum CodingKeys: String, CodingKey {
                case id, kind, status, paths, sha256, error
                case installationID = "installation_id"
                case jobID = "job_id"
                case appVersion = "app_version"
                case sizeBytes = "size_bytes"
                case durationMS = "duration_ms"
                case createdAt = "created_at"
                case finishedAt = "finished_at"
            }
        }

        /// `POST /api/v1/installations/{id}/reconfigure`: the inputs to change (by input name); the
        /// others keep their values.
        public struct ReconfigureRequest: Codable, Sendable {
            public var inputs: [String: InputValue]

            public init(inputs: [String: InputValue]) {
                self.inputs = inputs
            }
        }

        /// `POST /api/v1/installations/{id}/restore`: which backup, and `confirm` with the app's id,
        /// since a restore replaces the app's files and data with the backup's.
        public struct RestoreRequest: Codable, Sendable {
            public var backupID: String
            public var confirm: String?

            public init(backupID: String, confirm: String?) {
                self.backupID = backupID
                self.confirm = confirm
            }

            enum CodingKeys: String, CodingKey {
                case confirm
                case backupID = "backup_id"
            }
        }

        /// `PATCH /api/v1/installations/{id}`.
        public struct Patch: Codable, Sendable {
            /// 0 turns scheduled health checks off; else 60 to 86400.
            public var healthIntervalSeconds: Int?

            public init(healthIntervalSeconds: Int?) {
                self.healthIntervalSeconds = healthIntervalSeconds
            }

            enum CodingKeys: String, CodingKey {
                case healthIntervalSeconds = "health_interval_seconds"
            }
        }

        /// `POST /api/v1/installations/{id}/credentials`: the secret inputs (generated passwords
        /// included) by input name, and the secret outputs, in the clear. Audited.
        public struct Credentials: Codable, Sendable, Equatable {
            public var inputs: [String: String]
            public var outputs: [String: String]

            public init(inputs: [String: String], outputs: [String: String]) {
                self.inputs = inputs
                self.outputs = outputs
            }
        }
    }
}
