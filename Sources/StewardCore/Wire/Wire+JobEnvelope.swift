import Foundation

extension Wire {
    /// A job as the hub hands it to an agent: the payload and an Ed25519 signature binding it to one
    /// job attempt, one agent and a deadline. See ``JobSignature``.
    public struct JobEnvelope: Codable, Sendable, Equatable {
        public var jobID: String
        public var attempt: Int
        public var agentID: String
        /// After this moment the agent refuses the job. Whole seconds since the epoch.
        public var notAfter: Int64
        /// The payload's exact bytes, base64; what the signature covers.
        public var payload: String
        /// Ed25519 over ``JobSignature/signedBytes(jobID:attempt:agentID:notAfter:payload:)``, base64.
        public var signature: String

        public init(jobID: String, attempt: Int, agentID: String, notAfter: Int64, payload: String, signature: String) {
            self.jobID = jobID
            self.attempt = attempt
            self.agentID = agentID
            self.notAfter = notAfter
            self.payload = payload
            self.signature = signature
        }

        enum CodingKeys: String, CodingKey {
            case attempt, payload, signature
            case jobID = "job_id"
            case agentID = "agent_id"
            case notAfter = "not_after"
        }
    }
}
