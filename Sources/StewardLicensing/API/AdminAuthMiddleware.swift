import Foundation
import HTTPTypes
import Hummingbird
import StewardHub

/// Lets a request through only with a live administrator key in `X-Admin-Api-Key`. Wrong keys are
/// counted per address: past the limit, the address waits before it may try again.
struct AdminAuthMiddleware: RouterMiddleware {
    typealias Context = LicensingRequestContext
    static let header = HTTPField.Name("X-Admin-Api-Key")!

    let access: AdminAccess
    let failures: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let key = request.headers[Self.header], try await access.verify(key) else {
            if let wait = await failures.acquire(context.sourceAddress, now: access.clock.now) {
                var error = APIError(
                    .tooManyRequests, code: "rate_limited", detail: "too many wrong administrator keys; try again in \(wait) s")
                error.headers[.retryAfter] = String(wait)
                throw error
            }
            throw APIError(.unauthorized, code: "unauthenticated", detail: "send the administrator key as 'X-Admin-Api-Key'")
        }
        return try await next(request, context)
    }
}
