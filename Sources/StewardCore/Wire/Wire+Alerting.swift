import Foundation

extension Wire {
    /// Watching the fleet: notification channels, alert rules, the alerts they raise, and the stored
    /// events of servers and jobs (`/api/v1/notification-channels`, `/api/v1/alert-rules`,
    /// `/api/v1/alerts`, `/api/v1/fleet-events`).
    public enum Alerting {
        /// `POST /api/v1/notification-channels`. `url` is an `http(s)` address for webhooks and chat
        /// types, `mailto:a@example.com,b@example.com` for e-mail; `secret` signs webhook bodies.
        public struct ChannelRequest: Codable, Sendable {
            public var name: String
            public var type: String
            public var url: String
            public var secret: String?

            public init(name: String, type: String, url: String, secret: String? = nil) {
                self.name = name
                self.type = type
                self.url = url
                self.secret = secret
            }
        }

        /// A channel as the API shows it: never its secret, and for chat types (whose address is
        /// itself a credential) only the scheme and host of its address.
        public struct Channel: Codable, Sendable, Equatable {
            public var id: String
            public var name: String
            public var type: String
            public var url: String
            public var hasSecret: Bool
            public var createdAt: Date

            public init(id: String, name: String, type: String, url: String, hasSecret: Bool, createdAt: Date) {
                self.id = id
                self.name = name
                self.type = type
                self.url = url
                self.hasSecret = hasSecret
                self.createdAt = createdAt
            }

            enum CodingKeys: String, CodingKey {
                case id, name, type, url
                case hasSecret = "has_secret"
                case createdAt = "created_at"
            }
        }

        /// One notification for one channel, with every attempt to deliver it.
        public struct Delivery: Codable, Sendable, Equatable {
            public var id: String
            public var channelID: String
            public var alertID: String?
            public var event: String
            /// `pending` (first try or retry due), `delivered`, or `failed` (out of attempts).
            public var state: String
            public var attempts: [Attempt]
            public var createdAt: Date
            public var nextAttemptAt: Date?

            public init(
                id: String, channelID: String, alertID: String?, event: String, state: String, attempts: [Attempt], createdAt: Date,
                nextAttemptAt: Date?
            ) {
                self.id = id
                self.channelID = channelID
                self.alertID = alertID
                self.event = event
                self.state = state
                self.attempts = attempts
                self.createdAt = createdAt
                self.nextAttemptAt = nextAttemptAt
            }

            enum CodingKeys: String, CodingKey {
                case id, event, state, attempts
                case channelID = "channel_id"
                case alertID = "alert_id"
                case createdAt = "created_at"
                case nextAttemptAt = "next_attempt_at"
            }
        }

        /// What one attempt got: the HTTP status (webhooks and chat), or the error.
        public struct Attempt: Codable, Sendable, Equatable {
            public var at: Date
            public var statusCode: Int?
            public var error: String?

            public init(at: Date, statusCode: Int?, error: String?) {
                self.at = at
                self.statusCode = statusCode
                self.error = error
            }

            enum CodingKeys: String, CodingKey {
                case at, error
                case statusCode = "status_code"
            }
        }

        /// `POST /api/v1/alert-rules`. `metric` rules compare a series (`disk.used_percent`, or one
        /// series by key, `disk.used_percent{mount=/}`) with `operator` and `threshold`; `offline`
        /// rules fire `for_seconds` after a server was marked offline; `job` rules fire for jobs that
        /// ended in one of `statuses`.
        public struct RuleRequest: Codable, Sendable {
            public var name: String
            public var kind: String
            public var metric: String?
            public var `operator`: String?
            public var threshold: Double?
            public var statuses: [String]?
            public var forSeconds: Int?
            public var cooldownSeconds: Int?
            public var selector: Selector?
            public var channelIDs: [String]?

            public init(
                name: String, kind: String, metric: String? = nil, operator: String? = nil, threshold: Double? = nil,
                statuses: [String]? = nil, forSeconds: Int? = nil, cooldownSeconds: Int? = nil, selector: Selector? = nil,
                channelIDs: [String]? = nil
            ) {
                self.name = name
                self.kind = kind
                self.metric = metric
                self.operator = `operator`
                self.threshold = threshold
                self.statuses = statuses
                self.forSeconds = forSeconds
                self.cooldownSeconds = cooldownSeconds
                self.selector = selector
                self.channelIDs = channelIDs
            }

            enum CodingKeys: String, CodingKey {
                case name, kind, metric, `operator`, threshold, statuses, selector
                case forSeconds = "for_seconds"
                case cooldownSeconds = "cooldown_seconds"
                case channelIDs = "channel_ids"
            }
        }

        /// `PATCH /api/v1/alert-rules/{id}`: the fields given replace the rule's; its kind stays.
        public struct RulePatch: Codable, Sendable {
            public var name: String?
            public var metric: String?
            public var `operator`: String?
            public var threshold: Double?
            public var statuses: [String]?
            public var forSeconds: Int?
            public var cooldownSeconds: Int?
            public var selector: Selector?
            public var channelIDs: [String]?
            public var enabled: Bool?

            public init(
                name: String? = nil, metric: String? = nil, operator: String? = nil, threshold: Double? = nil,
                statuses: [String]? = nil, forSeconds: Int? = nil, cooldownSeconds: Int? = nil, selector: Selector? = nil,
                channelIDs: [String]? = nil, enabled: Bool? = nil
            ) {
                self.name = name
                self.metric = metric
                self.operator = `operator`
                self.threshold = threshold
                self.statuses = statuses
                self.forSeconds = forSeconds
                self.cooldownSeconds = cooldownSeconds
                self.selector = selector
                self.channelIDs = channelIDs
                self.enabled = enabled
            }

            enum CodingKeys: String, CodingKey {
                case name, metric, `operator`, threshold, statuses, selector, enabled
                case forSeconds = "for_seconds"
                case cooldownSeconds = "cooldown_seconds"
                case channelIDs = "channel_ids"
            }
        }

        /// Which servers a rule watches: those carrying every label given (all servers when empty).
        public struct Selector: Codable, Sendable, Equatable {
            public var labels: [String: String]

            public init(labels: [String: String] = [:]) {
                self.labels = labels
            }
        }

        public struct Rule: Codable, Sendable, Equatable {
            public var id: String
            public var name: String
            public var kind: String
            public var metric: String?
            public var `operator`: String?
            public var threshold: Double?
            public var statuses: [String]?
            public var forSeconds: Int
            public var cooldownSeconds: Int
            public var selector: Selector
            public var channelIDs: [String]
            public var enabled: Bool
            public var createdAt: Date
            public var updatedAt: Date

            public init(
                id: String, name: String, kind: String, metric: String?, operator: String?, threshold: Double?, statuses: [String]?,
                forSeconds: Int, cooldownSeconds: Int, selector: Selector, channelIDs: [String], enabled: Bool, createdAt: Date,
                updatedAt: Date
            ) {
                self.id = id
                self.name = name
                self.kind = kind
                self.metric = metric
                self.operator = `operator`
                self.threshold = threshold
                self.statuses = statuses
                self.forSeconds = forSeconds
                self.cooldownSeconds = cooldownSeconds
                self.selector = selector
                self.channelIDs = channelIDs
                self.enabled = enabled
                self.createdAt = createdAt
                self.updatedAt = updatedAt
            }

            enum CodingKeys: String, CodingKey {
                case id, name, kind, metric, `operator`, threshold, statuses, selector, enabled
                case forSeconds = "for_seconds"
                case cooldownSeconds = "cooldown_seconds"
                case channelIDs = "channel_ids"
                case createdAt = "created_at"
                case updatedAt = "updated_at"
            }
        }

        /// An incident of one rule on one server (and, for rules that watch several things on a
        /// server, one `subject`: a series key or a job id).
        public struct Alert: Codable, Sendable, Equatable {
            public var id: String
            public var ruleID: String
            public var ruleName: String
            public var kind: String
            public var serverID: String
            public var serverName: String
            public var subject: String
            /// `firing`, `acknowledged` or `resolved` (`pending` while a rule's `for_seconds` runs).
            public var state: String
            /// What was measured when it last held: the metric's value, seconds offline, the exit code.
            public var value: Double?
            public var summary: String
            public var startedAt: Date
            public var firedAt: Date?
            public var acknowledgedAt: Date?
            public var acknowledgedBy: String?
            public var resolvedAt: Date?
            public var notifiedAt: Date?

            public init(
                id: String, ruleID: String, ruleName: String, kind: String, serverID: String, serverName: String, subject: String,
                state: String, value: Double?, summary: String, startedAt: Date, firedAt: Date?, acknowledgedAt: Date?,
                acknowledgedBy: String?, resolvedAt: Date?, notifiedAt: Date?
            ) {
                self.id = id
                self.ruleID = ruleID
                self.ruleName = ruleName
                self.kind = kind
                self.serverID = serverID
                self.serverName = serverName
                self.subject = subject
                self.state = state
                self.value = value
                self.summary = summary
                self.startedAt = startedAt
                self.firedAt = firedAt
                self.acknowledgedAt = acknowledgedAt
                self.acknowledgedBy = acknowledgedBy
                self.resolvedAt = resolvedAt
                self.notifiedAt = notifiedAt
            }

            enum CodingKeys: String, CodingKey {
                case id, kind, subject, state, value, summary
                case ruleID = "rule_id"
                case ruleName = "rule_name"
                case serverID = "server_id"
                case serverName = "server_name"
                case startedAt = "started_at"
                case firedAt = "fired_at"
                case acknowledgedAt = "acknowledged_at"
                case acknowledgedBy = "acknowledged_by"
                case resolvedAt = "resolved_at"
                case notifiedAt = "notified_at"
            }
        }

        /// The body of a webhook: `alert.firing`, `alert.resolved`, or `test` (without an alert).
        public struct Notification: Codable, Sendable, Equatable {
            public var event: String
            public var alert: Alert?
            public var at: Date

            public init(event: String, alert: Alert?, at: Date) {
                self.event = event
                self.alert = alert
                self.at = at
            }
        }

        /// A stored event of the fleet: a server went offline or came back, a job ended badly, a
        /// disk filled up.
        public struct FleetEvent: Codable, Sendable, Equatable {
            public var id: String
            public var kind: String
            /// `info`, `warning` or `critical`.
            public var severity: String
            public var serverID: String?
            public var jobID: String?
            public var message: String
            public var at: Date

            public init(id: String, kind: String, severity: String, serverID: String?, jobID: String?, message: String, at: Date) {
                self.id = id
                self.kind = kind
                self.severity = severity
                self.serverID = serverID
                self.jobID = jobID
                self.message = message
                self.at = at
            }

            enum CodingKeys: String, CodingKey {
                case id, kind, severity, message, at
                case serverID = "server_id"
                case jobID = "job_id"
            }
        }
    }
}
