import Foundation
import StewardCore

/// What an agent keeps after enrolling: enough to talk to its hub forever without the token.
public struct AgentCredentials: Codable, Sendable, Equatable {
    public var hubURL: String
    public var agentID: String
    public var agentSecret: String
    public var serverID: String
    /// The hub's Ed25519 public key, pinned at enrollment to verify signed jobs.
    public var hubPublicKey: String
    public var heartbeatIntervalSeconds: Int

    public var credential: Wire.AgentCredential { .init(agentID: agentID, secret: agentSecret) }

    enum CodingKeys: String, CodingKey {
        case hubURL = "hub_url"
        case agentID = "agent_id"
        case agentSecret = "agent_secret"
        case serverID = "server_id"
        case hubPublicKey = "hub_public_key"
        case heartbeatIntervalSeconds = "heartbeat_interval_seconds"
    }
}
