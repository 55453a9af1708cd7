import Foundation
import Hummingbird
import StewardCore

extension Request {
    /// What to do with NUL characters (`\u0000`) in a body's strings: no database column can hold
    /// them (PostgreSQL refuses them in text), so an operator's request with one is refused, and
    /// what an agent reports (a script may print anything) gets U+FFFD in their place.
    package enum NULCharacters {
        case refuse, replace
    }

    /// Decodes a JSON body, turning every way it can be wrong into a 4xx that names the field.
    /// `ifEmpty` is the value of a request sent without a body; without it, a body is required.
    package func decodeJSON<T: Decodable>(
        as type: T.Type, context: some RequestContext, ifEmpty: T? = nil, nul: NULCharacters = .refuse
    ) async throws -> T {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else {
            if let ifEmpty { return ifEmpty }
            throw APIError(.badRequest, code: "body_required", detail: "this request needs a JSON body")
        }
        var data = Data(buffer.readableBytesView)
        if let escapes = Self.nulEscapes(in: data) {
            guard nul == .replace else {
                throw APIError(.badRequest, code: "nul_character", detail: "strings must not contain NUL characters (\\u0000)")
            }
            for offset in escapes { data.replaceSubrange(offset + 2..<offset + 6, with: Array("fffd".utf8)) }
        }
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

    /// Where `\u0000` escapes start in a JSON text (an escaped backslash followed by `u0000` is not
    /// one); `nil` when there is none.
    static func nulEscapes(in data: Data) -> [Int]? {
        let bytes = [UInt8](data)
        var found: [Int] = []
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            if index + 5 < bytes.count, bytes[index + 1] == UInt8(ascii: "u"),
                bytes[index + 2...index + 5].allSatisfy({ $0 == UInt8(ascii: "0") })
            {
                found.append(index)
            }
            index += 2  // the escaped character, whatever it is, is not the start of another escape
        }
        return found.isEmpty ? nil : found
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
