import Foundation

/// The types that travel between hub, agent and operator clients as JSON.
///
/// The hub and the agent never import each other; they meet only here. Keys are snake_case on the
/// wire and dates are ISO 8601, so every encoder and decoder that touches these types comes from
/// ``Wire/makeEncoder()`` and ``Wire/makeDecoder()``.
public enum Wire {
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    /// Accepts ISO 8601 date-times with or without fractional seconds, and names the field of a bad one.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = try? Date(text, strategy: .iso8601) { return date }
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
                return date
            }
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "must be an ISO 8601 date-time such as 2026-01-31T12:00:00Z")
        }
        return decoder
    }
}
