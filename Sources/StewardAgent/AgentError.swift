/// Why an agent stopped. Each code has its own process exit status, so a supervisor (systemd) can
/// tell "do not restart me, a person must act" from an ordinary failure.
public struct AgentError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        /// The process exit status for this reason.
        public let exitCode: Int32

        public var description: String { name }

        /// The hub refused the registration token (unknown, expired, used up, revoked).
        public static let enrollmentRefused = Code(name: "enrollment_refused", exitCode: 78)
        /// The hub revoked this agent (its server was decommissioned) or no longer knows its credentials.
        public static let credentialsRevoked = Code(name: "credentials_revoked", exitCode: 77)
        /// Neither stored credentials nor a registration token were given, or the stored ones are damaged.
        public static let notEnrolled = Code(name: "not_enrolled", exitCode: 64)
        public static let stateUnreadable = Code(name: "state_unreadable", exitCode: 74)
        /// The hub presented a signing key other than the one `--hub-key` pinned.
        public static let hubKeyMismatch = Code(name: "hub_key_mismatch", exitCode: 78)
        /// The hub's URL is not one the agent may use: not http(s), or plain http off loopback
        /// without `--insecure-http`.
        public static let insecureHub = Code(name: "insecure_hub", exitCode: 64)
        /// The `--policy` file cannot be read or is not valid.
        public static let policyInvalid = Code(name: "policy_invalid", exitCode: 65)
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The hub no longer accepts this agent: `refusal` is its answer, to a heartbeat or a poll.
    static func revoked(_ refusal: HubClient.Failure, credentialsPath: String) -> AgentError {
        AgentError(
            .credentialsRevoked,
            "the hub no longer accepts this agent (\(refusal)); enroll again with a new registration token after removing \(credentialsPath)"
        )
    }
}
