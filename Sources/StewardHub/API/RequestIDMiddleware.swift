import HTTPTypes
import Hummingbird
import Logging

/// Gives every response an `X-Request-Id`: the one a trusted proxy sent (when it is short and
/// plain), else the id Hummingbird logs the request under. The same id is in the hub's log lines for
/// the request and in problem JSON (`request_id`), so a report can be matched to the log.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let proxies: TrustedProxies

    static let header = HTTPField.Name("X-Request-Id")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id: String
        if let given = request.headers[Self.header], Self.isPlain(given), !proxies.networks.isEmpty,
            proxies.isTrusted(context.sourceAddress)
        {
            id = given
            context.logger[metadataKey: "hb.request.id"] = .string(given)
        } else if case .string(let logged) = context.logger[metadataKey: "hb.request.id"] {
            id = logged
        } else {
            id = String(UInt64.random(in: 0 ... .max), radix: 16)
            context.logger[metadataKey: "hb.request.id"] = .string(id)
        }
        do {
            var response = try await next(request, context)
            response.headers[Self.header] = id
            return response
        } catch var error as APIError {
            error.headers[Self.header] = id
            error.requestID = id
            throw error
        }
    }

    /// 1–128 letters, digits, `-`, `_`, `.`: nothing a log or a header could be tricked with.
    static func isPlain(_ id: String) -> Bool {
        id.utf8.count <= 128 && id.wholeMatch(of: /[A-Za-z0-9._\-]+/) != nil
    }
}
