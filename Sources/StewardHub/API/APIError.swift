import Foundation
import HTTPTypes
import Hummingbird
import StewardCore

/// An error the client caused or must know about, sent as `application/problem+json`.
///
/// `code` is stable and machine-readable; `detail` is written for the person reading it and says
/// what was wrong and, where it helps, what to do.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var detail: String
    public var errors: [Wire.FieldError]?
    public var headers: HTTPFields = [:]
    /// The request's id (``RequestIDMiddleware``), repeated in the problem so a report can quote it.
    public var requestID: String?

    public init(_ status: HTTPResponse.Status, code: String, detail: String, errors: [Wire.FieldError]? = nil) {
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors
    }

    public var problem: Wire.Problem {
        .init(code: code, title: status.reasonPhrase, status: status.code, detail: detail, errors: errors, requestID: requestID)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        let body = try Wire.makeEncoder().encode(problem)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension APIError {
    package static func invalid(_ errors: [Wire.FieldError]) -> APIError {
        APIError(
            .unprocessableContent, code: "validation_failed",
            detail: errors.count == 1 ? "\(errors[0].field): \(errors[0].message)" : "\(errors.count) fields are invalid",
            errors: errors)
    }

    /// 400 for query parameters that are not what the route takes, each named.
    package static func invalidQuery(_ errors: [Wire.FieldError]) -> APIError {
        APIError(
            .badRequest, code: "invalid_query", detail: errors.map { "\($0.field) \($0.message)" }.joined(separator: "; "), errors: errors)
    }

    /// A `limit` query parameter: `fallback` when absent, else a whole number from 1 to `max`.
    package static func limit(_ text: Substring?, fallback: Int, max: Int, problems: inout [Wire.FieldError]) -> Int {
        guard let text else { return fallback }
        guard let value = Int(text), (1...max).contains(value) else {
            problems.append(.init(field: "limit", message: "must be an integer from 1 to \(max)"))
            return fallback
        }
        return value
    }

    package static func notFound(_ what: String, id: String) -> APIError {
        APIError(.notFound, code: "not_found", detail: "no \(what) with id \(id)")
    }

    static let unauthenticated = APIError(
        .unauthorized, code: "unauthenticated", detail: "send an API token as 'Authorization: Bearer <token>'")
}
