import Foundation

extension Wire.Job {
    /// One step of a job, as in DESIGN.md §4's executor registry. A flat record: each type uses its
    /// own fields (see ``StepCheck`` for which) and the others stay empty.
    public struct Step: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable, CaseIterable {
            case script
            case fileWrite = "file.write"
            case fileRead = "file.read"
            case envSet = "env.set"
            case envRead = "env.read"
            case shell
            case service
            /// A Docker container's `action` (`start`, `stop`, `restart`, `pause`, `unpause`,
            /// `remove`, `logs` with `tail` lines), on the container named or with the id `container`.
            case container
            /// Copies an installation's `paths` and what its app's `backup` script dumps into one archive
            /// under the agent's backup directory, named `backup_id`; archives of the installation not
            /// in `keep` are removed afterwards (rotation). The result's `archive` describes it.
            case backup
            /// Puts an installation's archive `backup_id` back: each of `paths` is removed and
            /// restored exactly as archived, then the app's `restore` script loads its dump.
            case restore
            /// Reads the tracked files `paths` for config history's drift check: each file's state
            /// (a missing one is a state, not a failure). With `app`, the paths are that app's
            /// declared `config_files`, read under the same policy rule as its scripts.
            case configCheck = "config.check"

            /// Whether a job of only such steps may run beside other jobs on an agent that allows more
            /// than one at a time: reads and shell commands. Scripts (package managers lock), writes
            /// and services run alone.
            public var allowsConcurrency: Bool { [.fileRead, .envRead, .shell, .configCheck].contains(self) }
        }

        public var type: Kind
        /// `script`: the catalog app and which of its scripts (`install`, `uninstall`, `upgrade`, `health`).
        public var app: String?
        public var role: String?
        /// `script`: values for the app's inputs, by input name, validated like an install's.
        public var inputs: [String: String]?
        /// `script`, filled in by the hub: the script's bytes (base64) and SHA-256 (hex), its
        /// environment from the validated inputs, and which of those are secrets.
        public var script: String?
        public var scriptSHA256: String?
        public var environment: [String: String]?
        public var secretNames: [String]?
        /// `file.write`, `file.read`, `env.set`, `env.read`: an absolute path.
        public var path: String?
        /// `file.write`: the content, base64.
        public var content: String?
        /// `file.write`: octal mode such as `0644`; owner and group by name.
        public var mode: String?
        public var owner: String?
        public var group: String?
        /// `file.read`: at most this many bytes are returned.
        public var maxBytes: Int?
        /// `env.set`: keys to set; `env.read`: not used.
        public var set: [String: String]?
        /// `env.set`: keys to remove.
        public var remove: [String]?
        /// `env.read`: only these keys (all when empty); `reveal` shows secret-looking values too.
        public var keys: [String]?
        public var reveal: Bool?
        /// `shell`: an absolute path and its arguments (no shell is involved).
        public var command: String?
        public var arguments: [String]?
        /// `service`: `start`, `stop`, `restart`, `reload` a `unit`, or `compose-up` in a `directory`.
        public var action: String?
        public var unit: String?
        public var directory: String?
        /// `container`: a container's name or id, and for `logs` how many of the last lines (default 200).
        public var container: String?
        public var tail: Int?
        /// `backup`, `restore`: the installation and the archive, the paths it holds, and (backup)
        /// the archives of the installation to keep. `script` and its fields carry the app's
        /// `backup` or `restore` script when it has one.
        public var installation: String?
        public var backupID: String?
        public var paths: [String]?
        public var keep: [String]?
        /// `restore`: the archive's SHA-256 when it was made; a damaged archive is not restored.
        public var archiveSHA256: String?
        /// `script`, filled in by the hub: the app's declared `config_files`, which the agent reads
        /// back after the script succeeds so that config history records what it left there.
        public var track: [String]?

        public init(type: Kind) {
            self.type = type
        }

        enum CodingKeys: String, CodingKey {
            case type, app, role, inputs, script, environment, path, content, mode, owner, group, set, remove, keys, reveal, command
            case arguments, action, unit, directory, container, tail, installation, paths, keep, track
            case backupID = "backup_id"
            case archiveSHA256 = "archive_sha256"
            case scriptSHA256 = "script_sha256"
            case secretNames = "secret_names"
            case maxBytes = "max_bytes"
        }

        /// The step fit to show and store in the clear: file content and `env.set` values are replaced
        /// (content by its size), script bytes left out.
        public var masked: Step {
            var copy = self
            copy.script = nil
            copy.environment = nil
            let secret = Set(secretNames ?? [])
            copy.inputs = inputs.map { inputs in
                Dictionary(
                    uniqueKeysWithValues: inputs.map { ($0.key, secret.contains($0.key.uppercased()) ? SecretMasker.mask : $0.value) })
            }
            if let content {
                copy.content = "(\(Data(base64Encoded: content)?.count ?? 0) bytes)"
            }
            copy.set = self.set?.mapValues { _ in SecretMasker.mask }
            return copy
        }

        /// One line saying what the step does, for logs and pages; never a value it writes.
        public var summary: String {
            switch type {
            case .script: "script \(app ?? "") \(role ?? "")"
            case .fileWrite: "file.write \(path ?? "")"
            case .fileRead: "file.read \(path ?? "")"
            case .envSet:
                "env.set \(path ?? "") (\((self.set ?? [:]).keys.sorted().joined(separator: ", ")); removing \((remove ?? []).joined(separator: ", ")))"
            case .envRead: "env.read \(path ?? "")"
            case .shell: ([command ?? ""] + (arguments ?? [])).joined(separator: " ")
            case .service:
                action == "compose-up" ? "docker compose up -d in \(directory ?? "")" : "systemctl \(action ?? "") \(unit ?? "")"
            case .container: "container \(action ?? "") \(container ?? "")" + (action == "logs" ? " (last \(tail ?? 200) lines)" : "")
            case .backup: "backup \(app ?? "") to archive \(backupID ?? "")"
            case .restore: "restore \(app ?? "") from archive \(backupID ?? "")"
            case .configCheck: "config.check \((paths ?? []).joined(separator: ", "))"
            }
        }

        /// Values the agent must mask in every line of output: what `env.set` writes, and a script
        /// step's secret inputs.
        public var secrets: [String] {
            let inputs = (secretNames ?? []).compactMap { environment?[$0] }
            return (self.set.map { Array($0.values) } ?? []) + inputs
        }
    }

    /// How one step of an attempt ended.
    public struct StepResult: Codable, Sendable, Equatable {
        public var index: Int
        public var type: Step.Kind
        /// 0 for success; a step that was refused or failed before running has 1 and a `refusal`/`error`.
        public var exitCode: Int
        public var error: String?
        /// `file.read`: the content (UTF-8 text, or base64 when `content_encoding` says so).
        public var content: String?
        public var contentEncoding: String?
        public var truncated: Bool?
        /// `env.read`: the keys and values (secret-looking values masked unless revealed).
        public var values: [String: String]?
        /// `backup`: the archive written.
        public var archive: Archive?
        /// What the step left in the files it wrote (`file.write`, `env.set`), the files a script
        /// step tracks, or (`config.check`) the files it read: config history's versions.
        public var files: [FileState]?

        public init(index: Int, type: Step.Kind, exitCode: Int, error: String? = nil) {
            self.index = index
            self.type = type
            self.exitCode = exitCode
            self.error = error
        }

        enum CodingKeys: String, CodingKey {
            case index, type, error, content, truncated, values, archive, files
            case exitCode = "exit_code"
            case contentEncoding = "content_encoding"
        }

        /// The result fit to keep in the clear and show in lists: what a file held is left out, and
        /// `env.read` keeps its keys with every value masked. The hub seals the whole result apart.
        public var masked: StepResult {
            var copy = self
            copy.content = nil
            copy.values = values?.mapValues { _ in SecretMasker.mask }
            copy.files = files?.map(\.withoutContent)
            return copy
        }
    }

    /// A file as a step found it: whether it exists, its SHA-256 and size, and its content (base64)
    /// when it is at most ``maxContentBytes``. `error` says why it could not be read (the agent's
    /// policy, a directory where a file was expected).
    public struct FileState: Codable, Sendable, Equatable {
        /// Config files larger than this are recorded by checksum and size only.
        public static let maxContentBytes = 256 << 10
        public static let maxTrackedFiles = 32

        public var path: String
        public var exists: Bool
        public var sha256: String?
        public var size: Int64?
        public var content: String?
        public var error: String?

        public init(path: String, exists: Bool, sha256: String? = nil, size: Int64? = nil, content: String? = nil, error: String? = nil) {
            self.path = path
            self.exists = exists
            self.sha256 = sha256
            self.size = size
            self.content = content
            self.error = error
        }

        /// The state fit to show in lists: checksum and size, not what the file holds.
        public var withoutContent: FileState {
            var copy = self
            copy.content = nil
            return copy
        }
    }

    /// An archive a `backup` step wrote: where, how big, its SHA-256 and how long it took.
    public struct Archive: Codable, Sendable, Equatable {
        public var path: String
        public var sizeBytes: Int64
        public var sha256: String
        public var durationMS: Int64

        public init(path: String, sizeBytes: Int64, sha256: String, durationMS: Int64) {
            self.path = path
            self.sizeBytes = sizeBytes
            self.sha256 = sha256
            self.durationMS = durationMS
        }

        enum CodingKeys: String, CodingKey {
            case path, sha256
            case sizeBytes = "size_bytes"
            case durationMS = "duration_ms"
        }
    }

    /// Steps that undo a failed job: when a step at `fromStep` or later fails, the agent runs these
    /// (stopping at the first that fails) and says in the result whether they all succeeded. An
    /// upgrade's are "restore the snapshot, check health"; its snapshot is step 0, whose own failure
    /// changed nothing and needs no undoing.
    public struct Rollback: Codable, Sendable, Equatable {
        public var fromStep: Int
        public var steps: [Step]

        public init(fromStep: Int, steps: [Step]) {
            self.fromStep = fromStep
            self.steps = steps
        }

        enum CodingKeys: String, CodingKey {
            case steps
            case fromStep = "from_step"
        }
    }

    /// `POST /api/v1/jobs`: one step (the job's kind is the step's type) or several (a `composite`
    /// job that stops at the first failing step).
    public struct StepsRequest: Codable, Sendable {
        public var serverID: String
        public var steps: [Step]
        public var timeoutSeconds: Int?

        public init(serverID: String, steps: [Step], timeoutSeconds: Int? = nil) {
            self.serverID = serverID
            self.steps = steps
            self.timeoutSeconds = timeoutSeconds
        }

        enum CodingKeys: String, CodingKey {
            case steps
            case serverID = "server_id"
            case timeoutSeconds = "timeout_seconds"
        }
    }
}
