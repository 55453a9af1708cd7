import HTTPTypes
import Hummingbird

/// Answers a request whose framing is wrong before its body is read: a `Content-Length` that is not a
/// number is a 400, one over the body limit a 413 at once (instead of reading the body until the
/// client gives up), and the connection is closed after either, since the body was not read.
struct RequestFramingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let lengths = request.headers[values: .contentLength]
        guard !lengths.isEmpty else { return try await next(request, context) }
        guard lengths.count == 1, let length = Int(lengths[0]), length >= 0 else {
            var error = APIError(.badRequest, code: "invalid_content_length", detail: "Content-Length must be one whole number of bytes")
            error.headers[.connection] = "close"
            throw error
        }
        guard length <= context.maxUploadSize else {
            var error = APIError(
                .contentTooLarge, code: "body_too_large",
                detail: "the body is \(length) bytes; the hub accepts at most \(context.maxUploadSize)")
            error.headers[.connection] = "close"
            throw error
        }
        return try await next(request, context)
    }
}
