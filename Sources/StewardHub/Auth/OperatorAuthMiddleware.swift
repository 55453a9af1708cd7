import Hummingbird
import Logging
import StewardCore

/// Recognises an operator's API token. A missing token is left for the route to refuse; a wrong one is refused here.
struct OperatorAuthMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let store: Store

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = try BearerToken.from(request) else { return try await next(request, context) }
        let digest = SecretToken.Digest(of: token)
        guard
            let (record, user) = try await store.apiToken(lookupKey: digest.lookupKey),
            ConstantTime.equals(record.tokenHash, digest.hash)
        else {
            throw APIError(.unauthorized, code: "invalid_token", detail: "the API token is not valid")
        }
        var context = context
        context.operatorIdentity = OperatorIdentity(
            userID: user.id, tenantID: user.tenantID, email: user.email, role: user.role, credentialID: record.id)
        context.logger[metadataKey: "operator.id"] = .string(user.id)
        return try await next(request, context)
    }
}
