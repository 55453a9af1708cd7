/// A value given for an input: any JSON scalar. Forms send text, scripts send numbers and booleans;
/// all become text before they are checked.
public enum InputValue: Sendable, Equatable, Codable, ExpressibleByStringLiteral {
    case text(String)
    case number(Double)
    case integer(Int64)
    case boolean(Bool)
    case null

    public init(stringLiteral value: String) {
        self = .text(value)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .boolean(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .text(value)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be a string, number, boolean or null")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .boolean(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    /// The text form, or `nil` for null.
    public var text: String? {
        switch self {
        case .text(let value): value
        case .integer(let value): String(value)
        case .number(let value): value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .boolean(let value): value ? "true" : "false"
        case .null: nil
        }
    }
}
