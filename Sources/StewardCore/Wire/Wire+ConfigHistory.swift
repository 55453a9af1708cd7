import Foundation

extension Wire {
    /// A server's config history (`/api/v1/servers/{id}/config`): a version of a file each time a
    /// job or the drift check found it changed, its diffs, restores and a git export.
    public enum ConfigHistory {
        /// One version of one file. What it holds is only ever shown masked (``Wire/ConfigHistory``
        /// diffs and the export); `sha256` and `size` are of the real content.
        public struct Version: Codable, Sendable, Equatable {
            public var id: String
            public var path: String
            public var sha256: String
            public var size: Int64
            public var jobID: String?
            /// Who made the change: the job's requester, or `outside Steward` for drift.
            public var author: String
            public var createdAt: Date
            /// `file.write`, `env.set`, `app` (an app's declared config file after its script) or
            /// `drift` (the drift check found it changed outside Steward).
            public var source: String
            /// The file was gone when this version was recorded.
            public var deleted: Bool
            /// A declared secret file: its content is never shown, only its checksum and size.
            public var secret: Bool
            public var appID: String?
            /// Whether this version's content is kept (files above 256 KiB are recorded by checksum
            /// only) and so can be restored.
            public var restorable: Bool

            public init(
                id: String, path: String, sha256: String, size: Int64, jobID: String?, author: String, createdAt: Date, source: String,
                deleted: Bool, secret: Bool, appID: String?, restorable: Bool
            ) {
                self.id = id
                self.path = path
                self.sha256 = sha256
                self.size = size
                self.jobID = jobID
                self.author = author
                self.createdAt = createdAt
                self.source = source
                self.deleted = deleted
                self.secret = secret
                self.appID = appID
                self.restorable = restorable
            }

            enum CodingKeys: String, CodingKey {
                case id, path, sha256, size, author, source, deleted, secret, restorable
                case jobID = "job_id"
                case createdAt = "created_at"
                case appID = "app_id"
            }
        }

        /// `POST /api/v1/servers/{id}/config/versions/{vid}/restore`: `confirm` repeats the file's path.
        public struct RestoreRequest: Codable, Sendable {
            public var confirm: String

            public init(confirm: String) {
                self.confirm = confirm
            }
        }
    }
}
