import HTTPTypes
import Hummingbird

enum BearerToken {
    /// The token of an `Authorization: Bearer …` header; `nil` when there is no such header.
    static func from(_ request: Request) throws -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw APIError(.unauthorized, code: "malformed_authorization", detail: "the Authorization header must be 'Bearer <token>'")
        }
        return String(parts[1])
    }
}
