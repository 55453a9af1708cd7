import Foundation
import HTTPTypes
import Hummingbird

/// Answers a request whose `Content-Length` is over the body limit with 413 at once, instead of
/// reading the body until the client gives up, and closes the connection, since the body was not
/// read. (A `Content-Length` that is not one number never gets here: NIO's HTTP parser refuses it
/// with a bare 400 and closes the connection.) A path or query with an encoded NUL (`%00`) is a 400
/// too: no id, name or filter holds one, and PostgreSQL cannot even compare text with it.
struct RequestFramingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > context.maxUploadSize {
            var error = APIError(
                .contentTooLarge, code: "body_too_large",
                detail: "the body is \(length) bytes; the hub accepts at most \(context.maxUploadSize)")
            error.headers[.connection] = "close"
            throw error
        }
        if request.uri.string.range(of: "%00", options: .caseInsensitive) != nil {
            throw APIError(.badRequest, code: "nul_character", detail: "the path and query must not contain NUL characters (%00)")
        }
        return try await next(request, context)
    }
}
