import Foundation
import Hummingbird
import StewardCore

extension Request {
    /// Decodes a JSON body, turning every way it can be wrong into a 4xx that names the field.
    /// `ifEmpty` is the value of a request sent without a body; without it, a body is required.
    func decodeJSON<T: Decodable>(as type: T.Type, context: some RequestContext, ifEmpty: T? = nil) async throws -> T {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else {
            if let ifEmpty { return ifEmpty }
            throw APIError(.badRequest, code: "body_required", detail: "this request needs a JSON body")
        }
        let data = Data(buffer.readableBytesView)
        do {
            return try Wire.makeDecoder().decode(T.self, from: data)
        } catch  where (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) == nil {
            throw APIError(.badRequest, code: "invalid_json", detail: "the body is not valid JSON")
        } catch let DecodingError.keyNotFound(key, context) {
            let field = Self.path(context.codingPath + [key])
            throw APIError(
                .unprocessableContent, code: "validation_failed", detail: "\(field) is required",
                errors: [.init(field: field, message: "is required")])
        } catch let DecodingError.typeMismatch(expected, context) {
            let field = Self.path(context.codingPath)
            let message = "must be \(Self.describe(expected))"
            throw APIError(
                .unprocessableContent, code: "validation_failed", detail: "\(field) \(message)",
                errors: [.init(field: field, message: message)])
        } catch let DecodingError.valueNotFound(expected, context) {
            let field = Self.path(context.codingPath)
            let message = "must be \(Self.describe(expected)), not null"
            throw APIError(
                .unprocessableContent, code: "validation_failed", detail: "\(field) \(message)",
                errors: [.init(field: field, message: message)])
        } catch let DecodingError.dataCorrupted(context) {
            let field = Self.path(context.codingPath)
            let message = context.debugDescription.isEmpty ? "is not valid" : context.debugDescription
            throw APIError(
                .unprocessableContent, code: "validation_failed", detail: "\(field): \(message)",
                errors: [.init(field: field, message: message)])
        }
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.reduce(into: "") { path, key in
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += path.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "true or false"
        case is Date.Type: "an ISO 8601 date-time"
        case is [String: String].Type, is [String: String?].Type: "an object of strings"
        default: "of type \(type)"
        }
    }
}
