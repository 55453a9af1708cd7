import Foundation
import HTTPTypes
import Hummingbird
import Logging
import StewardCore

/// Turns every error into `application/problem+json`.
///
/// Errors the client caused become a 4xx that says what was wrong. Anything else is a bug: it is logged
/// at `error` with the request id and answered with a 500 that reveals nothing about the internals.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as any HTTPResponseError {
            // Hummingbird's own (no route, body too large) and NIO's (too many bytes) errors.
            throw Self.translate(status: error.status, message: (error as? HTTPError)?.body, request: request)
        } catch {
            context.logger.error(
                "request failed", metadata: ["error": "\(String(reflecting: error))", "http.path": "\(request.uri.path)"])
            throw APIError(
                .internalServerError, code: "internal_error",
                detail: "the hub could not complete this request; the request id in the hub's log has the details")
        }
    }

    private static func translate(status: HTTPResponse.Status, message: String?, request: Request) -> APIError {
        switch status {
        case .notFound:
            return APIError(.notFound, code: "not_found", detail: "no route for \(request.method) \(request.uri.path)")
        case .methodNotAllowed:
            return APIError(
                .methodNotAllowed, code: "method_not_allowed", detail: "\(request.method) is not allowed on \(request.uri.path)")
        case .contentTooLarge:
            return APIError(.contentTooLarge, code: "body_too_large", detail: "the request body is larger than the hub accepts")
        default:
            return APIError(status, code: "http_error", detail: message ?? status.reasonPhrase)
        }
    }
}
