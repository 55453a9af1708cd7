import Foundation
import Hummingbird
import Logging
import StewardCore

/// The routes agents call: enrollment with a registration token, then heartbeats with their own credentials.
struct AgentController {
    let store: Store
    let keys: HubKeys
    let events: EventBus
    let jobs: JobService
    let heartbeatInterval: Int
    let registrationLimiter: RateLimiter
    /// Refuses enrollments past the license's `max_servers`, or under a license that is not active.
    let license: HubLicense

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.post("register", use: register)
        group.group(context: AgentRequestContext.self).post("heartbeat", use: heartbeat)
    }

    @Sendable func register(request: Request, context: HubRequestContext) async throws -> JSONResponse {
        if let retryAfter = await registrationLimiter.acquire(context.sourceAddress, now: jobs.clock.now) {
            var error = APIError(
                .tooManyRequests, code: "rate_limited",
                detail: "too many enrollment attempts from \(context.sourceAddress); try again in \(retryAfter) s")
            error.headers[.retryAfter] = String(retryAfter)
            throw error
        }
        let body = try await request.decodeJSON(as: Wire.Registration.Request.self, context: context)
        let hostname = body.hostname.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems = body.facts.problems()
        if hostname.isEmpty || hostname.count > 253 || hostname.contains(where: { $0.isNewline || $0.isWhitespace }) {
            problems.append(.init(field: "hostname", message: "must be a host name of 1 to 253 characters without spaces"))
        }
        if body.token.isEmpty || body.token.count > 512 {
            problems.append(.init(field: "token", message: "must be a registration token"))
        }
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        try await license.admitServer()

        let secret = SecretToken.generate(.agentSecret)
        let enrollment = EnrollmentRequest(
            token: body.token, hostname: hostname, facts: body.facts, sourceAddress: context.sourceAddress,
            agentID: UUID().uuidString.lowercased(), serverID: UUID().uuidString.lowercased(),
            agentSecretHash: SecretToken.Digest(of: secret).hash)
        switch try await store.enroll(enrollment, at: jobs.clock.now) {
        case .success(let server):
            context.logger.info(
                "server enrolled", metadata: ["server.id": "\(server.id)", "server.hostname": "\(server.hostname)"])
            await events.publish(server.event(.serverEnrolled))
            return try JSONResponse(
                status: .created,
                Wire.Registration.Response(
                    agentID: enrollment.agentID, agentSecret: secret, serverID: server.id,
                    heartbeatIntervalSeconds: heartbeatInterval, hubPublicKey: keys.publicKeyBase64))
        case .failure(let refusal):
            context.logger.info("enrollment refused", metadata: ["reason": "\(refusal)", "source": "\(context.sourceAddress)"])
            throw Self.error(for: refusal)
        }
    }

    @Sendable func heartbeat(request: Request, context: AgentRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.Heartbeat.Request.self, context: context, nul: .replace)
        let problems = body.problems()
        if !problems.isEmpty { throw APIError.invalid(problems) }
        try await jobs.heartbeat(body, agent: context.agent)
        return try JSONResponse(Wire.Heartbeat.Response(heartbeatIntervalSeconds: heartbeatInterval))
    }

    static func error(for refusal: EnrollmentRefusal) -> APIError {
        switch refusal {
        case .unknownToken:
            APIError(.unauthorized, code: "registration_token_unknown", detail: "this hub does not know the registration token")
        case .revoked:
            APIError(.forbidden, code: "registration_token_revoked", detail: "the registration token was revoked")
        case .expired(let at):
            APIError(
                .forbidden, code: "registration_token_expired",
                detail: "the registration token expired at \(at.formatted(.iso8601))")
        case .usedUp(let maxUses):
            APIError(
                .forbidden, code: "registration_token_used_up",
                detail: "the registration token has been used for all of its \(maxUses) enrollment\(maxUses == 1 ? "" : "s")")
        }
    }
}
