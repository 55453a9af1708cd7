import Foundation

extension Wire {
    /// Log rules (`/api/v1/log-rules`): regular expressions matched against job logs and the log
    /// tails of Docker containers; a match is a `log.matched` fleet event.
    public enum LogRules {
        /// `POST /api/v1/log-rules`. `sources` is any of `job` and `container` (both when absent);
        /// `severity` is `info`, `warning` (the default) or `critical`.
        public struct Request: Codable, Sendable {
            public var name: String
            public var pattern: String
            public var sources: [String]?
            public var severity: String?
            public var selector: Alerting.Selector?

            public init(
                name: String, pattern: String, sources: [String]? = nil, severity: String? = nil, selector: Alerting.Selector? = nil
            ) {
                self.name = name
                self.pattern = pattern
                self.sources = sources
                self.severity = severity
                self.selector = selector
            }
        }

        /// `PATCH /api/v1/log-rules/{id}`: the fields given replace the rule's. Turning a rule on
        /// again clears the reason the hub turned it off.
        public struct Patch: Codable, Sendable {
            public var name: String?
            public var pattern: String?
            public var sources: [String]?
            public var severity: String?
            public var selector: Alerting.Selector?
            public var enabled: Bool?

            public init(
                name: String? = nil, pattern: String? = nil, sources: [String]? = nil, severity: String? = nil,
                selector: Alerting.Selector? = nil, enabled: Bool? = nil
            ) {
                self.name = name
                self.pattern = pattern
                self.sources = sources
                self.severity = severity
                self.selector = selector
                self.enabled = enabled
            }
        }

        /// A rule as the API shows it. `disabled_reason` says why the hub turned it off (its pattern
        /// ran past the time budget), when it did.
        public struct Rule: Codable, Sendable, Equatable {
            public var id: String
            public var name: String
            public var pattern: String
            public var sources: [String]
            public var severity: String
            public var selector: Alerting.Selector
            public var enabled: Bool
            public var disabledReason: String?
            public var createdAt: Date
            public var updatedAt: Date?

            public init(
                id: String, name: String, pattern: String, sources: [String], severity: String, selector: Alerting.Selector,
                enabled: Bool, disabledReason: String?, createdAt: Date, updatedAt: Date?
            ) {
                self.id = id
                self.name = name
                self.pattern = pattern
                self.sources = sources
                self.severity = severity
                self.selector = selector
                self.enabled = enabled
                self.disabledReason = disabledReason
                self.createdAt = createdAt
                self.updatedAt = updatedAt
            }

            enum CodingKeys: String, CodingKey {
                case id, name, pattern, sources, severity, selector, enabled
                case disabledReason = "disabled_reason"
                case createdAt = "created_at"
                case updatedAt = "updated_at"
            }
        }
    }
}
