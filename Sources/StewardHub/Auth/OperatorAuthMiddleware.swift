import Foundation
import HTTPTypes
import Hummingbird
import Logging
import StewardCore

/// Recognises an operator's API token and the tenant and role it acts with. A missing token is left
/// for the route to refuse; a wrong, expired or revoked one, or one whose user is disabled or no
/// longer a member, is refused here.
struct OperatorAuthMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let store: Store
    let clock: HubClock

    /// Names another tenant for a hub administrator's token.
    static let tenantHeader = HTTPField.Name("X-Steward-Tenant")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = try BearerToken.from(request) else { return try await next(request, context) }
        let digest = SecretToken.Digest(of: token)
        let now = clock.now
        guard
            let (record, user, memberRole) = try await store.apiToken(lookupKey: digest.lookupKey),
            ConstantTime.equals(record.tokenHash, digest.hash), user.disabledAt == nil, record.expiresAt.map({ $0 > now }) ?? true
        else {
            throw APIError(.unauthorized, code: "invalid_token", detail: "the API token is not valid")
        }
        var identity = OperatorIdentity(
            userID: user.id, tenantID: record.tenantID, email: user.email, role: .viewer, isHubAdmin: user.isHubAdmin,
            credentialID: record.id)
        if let named = request.headers[Self.tenantHeader] {
            // Only a hub administrator acts in a tenant other than its token's, as its owner.
            guard user.isHubAdmin, let tenant = try await store.tenant(named) else {
                throw APIError(.notFound, code: "not_found", detail: "no tenant \(named)")
            }
            identity.tenantID = tenant.id
            identity.role = record.role ?? .owner
        } else {
            guard let memberRole = memberRole ?? (user.isHubAdmin ? .owner : nil) else {
                throw APIError(.unauthorized, code: "invalid_token", detail: "the API token is not valid")
            }
            identity.role = min(memberRole, record.role ?? memberRole)
        }
        if record.lastUsedAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true {
            try await store.touchAPIToken(id: record.id, at: now)
        }
        var context = context
        context.operatorIdentity = identity
        context.logger[metadataKey: "operator.id"] = .string(user.id)
        return try await next(request, context)
    }
}
