import Hummingbird
import Logging
import StewardCore

/// Recognises an enrolled agent by its id and secret, and tells a revoked agent so.
///
/// Revocation is disclosed only after the secret checks out, so the answer reveals nothing to
/// someone who merely knows an agent id.
struct AgentAuthMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let store: Store

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = try BearerToken.from(request) else { return try await next(request, context) }
        guard let credential = Wire.AgentCredential(bearerValue: token) else {
            throw APIError(.unauthorized, code: "malformed_authorization", detail: "agent credentials are '<agent id>:<secret>'")
        }
        guard
            let agent = try await store.agent(id: credential.agentID),
            SecretToken.Digest.matches(credential.secret, storedHash: agent.secretHash)
        else {
            throw APIError(.unauthorized, code: "agent_credentials_invalid", detail: "this hub does not know these agent credentials")
        }
        guard agent.revokedAt == nil else {
            throw APIError(.forbidden, code: "agent_revoked", detail: "this agent was revoked: its server was decommissioned")
        }
        var context = context
        context.agent = agent
        context.logger[metadataKey: "agent.id"] = .string(agent.id)
        return try await next(request, context)
    }
}
