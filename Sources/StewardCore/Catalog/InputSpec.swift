/// One input of an app's install form, and the rules its value must follow.
public struct InputSpec: Sendable, Equatable {
    public var name: String
    public var type: InputType
    public var label: String
    public var help: String?
    public var required: Bool
    /// The value used when none is given, in its text form (`"true"`, `"443"`).
    public var defaultValue: String?
    public var rules: Rules
    /// The choices of a `select` input.
    public var options: [Option]
    /// Shown only when every named input has one of the listed values; a hidden input is neither
    /// required nor passed to the script.
    public var visibleIf: [String: [String]]
    /// For `password` inputs: the hub generates a value of this length when none is given.
    public var generateLength: Int?

    /// The rules of `validation:`; the API shows them as they are written in the manifest.
    public struct Rules: Codable, Sendable, Equatable {
        public var pattern: String?
        public var minLength: Int?
        public var maxLength: Int?
        public var min: Int64?
        public var max: Int64?
        public var allowedValues: [String]?

        public init() {}

        enum CodingKeys: String, CodingKey {
            case pattern, min, max
            case minLength = "min_length"
            case maxLength = "max_length"
            case allowedValues = "allowed_values"
        }
    }

    public struct Option: Sendable, Equatable {
        public var value: String
        public var label: String
    }

    /// The environment variable the value reaches the script as: the name upper-cased.
    public var environmentName: String { name.uppercased() }
}

/// The kinds of value an input takes; each has its own form control and checks.
public enum InputType: String, Sendable, CaseIterable {
    case string, text, integer, boolean, password, select, email, port, domain, url
}
