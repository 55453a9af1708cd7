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

    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
