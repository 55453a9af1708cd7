import HTTPTypes
import Hummingbird

/// Sets the request's source address to the client's when it came through a trusted proxy, before
/// anything (rate limits, the audit log) reads it.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let proxies: TrustedProxies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !proxies.networks.isEmpty else { return try await next(request, context) }
        var context = context
        context.sourceAddress = proxies.clientAddress(
            peer: context.sourceAddress, forwardedFor: request.headers[values: HTTPField.Name("X-Forwarded-For")!])
        return try await next(request, context)
    }
}
