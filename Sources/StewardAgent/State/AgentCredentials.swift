import Foundation
import StewardCore

/// What an agent keeps after enrolling: enough to talk to its hub forever without the token.
public struct AgentCredentials: Codable, Sendable, Equatable {
    /// The hub it enrolled with.
    public var hubURL: String
    /// Every hub it was given at enrollment (`--hub`, repeatable), the enrolling one among them;
    /// absent in credentials written before agents knew several.
    public var hubURLs: [String]?
    public var agentID: String
    public var agentSecret: String
    public var serverID: String
    /// The hub's Ed25519 public key, pinned at enrollment to verify signed jobs.
    public var hubPublicKey: String
    public var heartbeatIntervalSeconds: Int

    public var credential: Wire.AgentCredential { .init(agentID: agentID, secret: agentSecret) }

    public init(
        hubURL: String, hubURLs: [String]? = nil, agentID: String, agentSecret: String, serverID: String, hubPublicKey: String,
        heartbeatIntervalSeconds: Int
    ) {
        self.hubURL = hubURL
        self.hubURLs = hubURLs
        self.agentID = agentID
        self.agentSecret = agentSecret
        self.serverID = serverID
        self.hubPublicKey = hubPublicKey
        self.heartbeatIntervalSeconds = heartbeatIntervalSeconds
    }

    enum CodingKeys: String, CodingKey {
        case hubURL = "hub_url"
        case hubURLs = "hub_urls"
        case agentID = "agent_id"
        case agentSecret = "agent_secret"
        case serverID = "server_id"
        case hubPublicKey = "hub_public_key"
        case heartbeatIntervalSeconds = "heartbeat_interval_seconds"
    }
}
