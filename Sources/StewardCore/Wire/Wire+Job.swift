import Foundation

extension Wire {
    /// Jobs: what operators ask for and see, and what agents run and report.
    public enum Job {
        public enum Status: String, Codable, Sendable, CaseIterable {
            case queued, running, succeeded, failed, retrying
            case needsAttention = "needs_attention"
            case timedOut = "timed_out"
            case dead, cancelled

            /// Whether the job is over: nothing more happens unless an operator retries it.
            public var isFinal: Bool { Self.final.contains(self) }

            /// Over: nothing more happens unless an operator retries.
            public static let final: Set<Status> = [.succeeded, .failed, .needsAttention, .timedOut, .dead, .cancelled]
            /// Over without success: what stops the jobs waiting for it in a `requires` chain.
            public static let unsuccessful: Set<Status> = final.subtracting([.succeeded])
            /// Waiting for an agent to claim them.
            public static let waiting: Set<Status> = [.queued, .retrying]
            /// Not over yet: waiting or running.
            public static let open: Set<Status> = waiting.union([.running])
        }

        /// `POST /api/v1/apps/{id}/install` and `/uninstall`.
        public struct AppRequest: Codable, Sendable {
            public var serverID: String
            public var inputs: [String: InputValue]

            public init(serverID: String, inputs: [String: InputValue] = [:]) {
                self.serverID = serverID
                self.inputs = inputs
            }

            /// `inputs` may be left out when the app needs none.
            public init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                serverID = try container.decode(String.self, forKey: .serverID)
                inputs = try container.decodeIfPresent([String: InputValue].self, forKey: .inputs) ?? [:]
            }

            enum CodingKeys: String, CodingKey {
                case serverID = "server_id"
                case inputs
            }
        }

        /// `POST /api/v1/jobs/{id}/retry`. Secret inputs were erased when the job finished: the password
        /// inputs an operator typed must be given again; generated ones are generated anew.
        public struct RetryRequest: Codable, Sendable {
            public var inputs: [String: InputValue]

            public init(inputs: [String: InputValue] = [:]) {
                self.inputs = inputs
            }

            public init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                inputs = try container.decodeIfPresent([String: InputValue].self, forKey: .inputs) ?? [:]
            }

            enum CodingKeys: String, CodingKey {
                case inputs
            }
        }

        /// A job as the operator API shows it. Secret inputs appear as `****`.
        public struct Info: Codable, Sendable, Equatable {
            public var id: String
            public var serverID: String
            public var kind: String
            public var appID: String?
            public var appVersion: String?
            public var inputs: [String: String]
            public var status: Status
            public var attempt: Int
            public var maxAttempts: Int
            public var exitCode: Int?
            public var outputs: [String: String]
            public var error: String?
            public var requestedBy: String
            public var createdAt: Date
            public var startedAt: Date?
            public var finishedAt: Date?
            public var nextRunAt: Date?
            /// The steps of a step job, with file contents and `env.set` values masked; empty for app jobs.
            public var steps: [Step] = []
            /// How each step of the last attempt ended.
            public var stepResults: [StepResult] = []
            /// The job that must succeed before this one runs: the install of an app this one `requires`.
            public var afterJobID: String?
            /// The installation the job acts on (an install, upgrade, reconfigure, health check, backup…).
            public var installationID: String?
            /// `true` when a step failed and the job's rollback (an upgrade's snapshot) put things back.
            public var rolledBack: Bool?

            public init(
                id: String, serverID: String, kind: String, appID: String?, appVersion: String?, inputs: [String: String],
                status: Status, attempt: Int, maxAttempts: Int, exitCode: Int?, outputs: [String: String], error: String?,
                requestedBy: String, createdAt: Date, startedAt: Date?, finishedAt: Date?, nextRunAt: Date?
            ) {
                self.id = id
                self.serverID = serverID
                self.kind = kind
                self.appID = appID
                self.appVersion = appVersion
                self.inputs = inputs
                self.status = status
                self.attempt = attempt
                self.maxAttempts = maxAttempts
                self.exitCode = exitCode
                self.outputs = outputs
                self.error = error
                self.requestedBy = requestedBy
                self.createdAt = createdAt
                self.startedAt = startedAt
                self.finishedAt = finishedAt
                self.nextRunAt = nextRunAt
            }

            enum CodingKeys: String, CodingKey {
                case id, kind, inputs, status, attempt, outputs, error
                case serverID = "server_id"
                case appID = "app_id"
                case appVersion = "app_version"
                case maxAttempts = "max_attempts"
                case exitCode = "exit_code"
                case requestedBy = "requested_by"
                case createdAt = "created_at"
                case startedAt = "started_at"
                case finishedAt = "finished_at"
                case nextRunAt = "next_run_at"
                case steps
                case stepResults = "step_results"
                case afterJobID = "after_job_id"
                case installationID = "installation_id"
                case rolledBack = "rolled_back"
            }
        }

        /// What the signed envelope carries to the agent: the steps to run, in order, and the inputs
        /// of its script steps.
        public struct Payload: Codable, Sendable, Equatable {
            /// `install`, `uninstall`, `composite`, or a single step's type.
            public var kind: String
            public var appID: String?
            public var appVersion: String?
            /// Script steps carry the script's bytes and SHA-256, which the agent checks before running it.
            public var steps: [Step]
            /// Environment variables for script steps, secrets included (the envelope travels over TLS).
            public var environment: [String: String]
            /// Which of `environment` are secrets, to be masked in every line of output.
            public var secretNames: [String]
            /// For the whole job, all steps together.
            public var timeoutSeconds: Int
            /// What undoes the job when one of its later steps fails (an upgrade's snapshot restore).
            public var rollback: Rollback?

            public init(
                kind: String, appID: String?, appVersion: String?, steps: [Step], environment: [String: String], secretNames: [String],
                timeoutSeconds: Int
            ) {
                self.kind = kind
                self.appID = appID
                self.appVersion = appVersion
                self.steps = steps
                self.environment = environment
                self.secretNames = secretNames
                self.timeoutSeconds = timeoutSeconds
            }

            enum CodingKeys: String, CodingKey {
                case kind, steps, environment
                case appID = "app_id"
                case appVersion = "app_version"
                case secretNames = "secret_names"
                case timeoutSeconds = "timeout_seconds"
                case rollback
            }
        }

        /// An agent's batch of log lines for one attempt.
        public struct LogBatch: Codable, Sendable {
            public var attempt: Int
            public var lines: [String]

            public init(attempt: Int, lines: [String]) {
                self.attempt = attempt
                self.lines = lines
            }
        }

        /// How an attempt ended, or why the agent refused it (then `exitCode` is nil). `steps` says
        /// how each step that ran ended; a chain stops at its first failing step.
        public struct Result: Codable, Sendable, Equatable {
            public var attempt: Int
            public var exitCode: Int?
            public var outputs: [String: String]
            public var refusal: String?
            /// How each step ended; the results of a rollback's steps follow, numbered on from the job's.
            public var steps: [StepResult]
            /// Set when a step failed and the job's rollback ran: `true` when all its steps succeeded.
            public var rolledBack: Bool?

            public init(
                attempt: Int, exitCode: Int?, outputs: [String: String] = [:], refusal: String? = nil, steps: [StepResult] = [],
                rolledBack: Bool? = nil
            ) {
                self.attempt = attempt
                self.exitCode = exitCode
                self.outputs = outputs
                self.refusal = refusal
                self.steps = steps
                self.rolledBack = rolledBack
            }

            public init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                attempt = try container.decode(Int.self, forKey: .attempt)
                exitCode = try container.decodeIfPresent(Int.self, forKey: .exitCode)
                outputs = try container.decodeIfPresent([String: String].self, forKey: .outputs) ?? [:]
                refusal = try container.decodeIfPresent(String.self, forKey: .refusal)
                steps = try container.decodeIfPresent([StepResult].self, forKey: .steps) ?? []
                rolledBack = try container.decodeIfPresent(Bool.self, forKey: .rolledBack)
            }

            enum CodingKeys: String, CodingKey {
                case attempt, outputs, refusal, steps
                case exitCode = "exit_code"
                case rolledBack = "rolled_back"
            }

            /// The result cut down until its JSON is at most `maxBytes`: read contents, read values and
            /// outputs are shortened (contents marked `truncated`), longest first, never the exit code.
            /// A result that cannot fit even so loses its contents, values and outputs altogether.
            public func fitted(toBytes maxBytes: Int) -> Result {
                var result = self
                func size() -> Int { (try? Wire.makeEncoder().encode(result).count) ?? Int.max }
                var budget = maxBytes
                while size() > maxBytes, budget > 64 {
                    budget /= 2
                    for index in result.steps.indices {
                        if let content = result.steps[index].content, content.utf8.count > budget {
                            // Base64 is cut at a whole group of four, so that what is left still decodes.
                            let limit = result.steps[index].contentEncoding == "base64" ? budget / 4 * 4 : budget
                            result.steps[index].content = Self.prefix(content, bytes: limit)
                            result.steps[index].truncated = true
                        }
                        if let values = result.steps[index].values {
                            result.steps[index].values = values.mapValues { Self.prefix($0, bytes: budget / max(1, values.count)) }
                        }
                        if let error = result.steps[index].error { result.steps[index].error = Self.prefix(error, bytes: max(256, budget)) }
                    }
                    result.outputs = result.outputs.mapValues { Self.prefix($0, bytes: budget / max(1, result.outputs.count)) }
                    if let refusal = result.refusal { result.refusal = Self.prefix(refusal, bytes: max(256, budget)) }
                }
                if size() > maxBytes {
                    result.outputs = [:]
                    for index in result.steps.indices {
                        result.steps[index].content = nil
                        result.steps[index].values = nil
                        result.steps[index].error = result.steps[index].error.map { Self.prefix($0, bytes: 256) }
                        result.steps[index].truncated = true
                    }
                    result.refusal = result.refusal.map { Self.prefix($0, bytes: 256) }
                }
                return result
            }

            /// At most `bytes` bytes of `text`, cut at a character boundary.
            static func prefix(_ text: String, bytes: Int) -> String {
                guard text.utf8.count > bytes else { return text }
                var cut = ""
                var used = 0
                for character in text {
                    let size = character.utf8.count
                    if used + size > bytes { break }
                    cut.append(character)
                    used += size
                }
                return cut
            }
        }
    }
}
