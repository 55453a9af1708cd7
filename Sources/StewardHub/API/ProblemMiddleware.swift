import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import StewardCore

/// Turns every error into `application/problem+json`, or, for a browser outside the API, into an
/// error page in the console's style.
///
/// Errors the client caused become a 4xx that says what was wrong. Anything else is a bug: it is logged
/// at `error` with the request id and answered with a 500 that reveals nothing about the internals.
package struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// What the 500 answer calls the server ("the hub could not complete this request").
    let serviceName: String
    /// Where an error page's one link leads, and its words.
    let home: (path: String, label: String)

    package init(serviceName: String = "the hub", home: (path: String, label: String) = ("/servers", "Back to the servers")) {
        self.serviceName = serviceName
        self.home = home
    }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var error: APIError
        do {
            return try await next(request, context)
        } catch let apiError as APIError {
            error = apiError
        } catch let httpError as any HTTPResponseError {
            // Hummingbird's own (no route, body too large) and NIO's (too many bytes) errors.
            error = Self.translate(status: httpError.status, message: (httpError as? HTTPError)?.body, request: request)
        } catch let parserError as HTTPParserError {
            // The body's framing was broken (a bad chunk size, say): the client's fault, and the
            // connection cannot be trusted to carry another request.
            error = APIError(.badRequest, code: "malformed_request", detail: "the request could not be read: \(parserError)")
            error.headers[.connection] = "close"
        } catch {
            context.logger.error(
                "request failed", metadata: ["error": "\(String(reflecting: error))", "http.path": "\(request.uri.path)"])
            throw APIError(
                .internalServerError, code: "internal_error",
                detail: "\(serviceName) could not complete this request; the request id in its log has the details")
        }
        guard Self.wantsPage(request) else { throw error }
        return page(for: error)
    }

    /// A browser asking for a page, not a client of the API.
    private static func wantsPage(_ request: Request) -> Bool {
        !request.uri.path.hasPrefix("/api/") && (request.headers[.accept]?.contains("text/html") ?? false)
    }

    private func page(for error: APIError) -> Response {
        let heading = error.status == .notFound ? "Not found" : error.status.reasonPhrase
        let message = error.detail.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(heading) · Steward</title><link rel="stylesheet" href="/assets/console.css"></head>
            <body><main id="main"><section class="card narrow"><h1>\(heading)</h1><p>\(message)</p>
            <p><a href="\(home.path)">\(home.label)</a></p></section></main></body></html>
            """
        var response = Response(
            status: error.status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
        response.headers[.contentSecurityPolicy] = SecurityHeadersMiddleware<Context>.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        return response
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
