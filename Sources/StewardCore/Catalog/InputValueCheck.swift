import Foundation

/// Checks one value against its input's type and rules, and returns it normalised.
///
/// Normalising means: surrounding white space removed (except for `password` and `text`, where it
/// may be meant), booleans spelled `true`/`false`, numbers without signs or leading zeros, domains in
/// lower case. Control characters are refused everywhere except the line breaks and tabs of `text`:
/// values reach scripts as environment variables, and must arrive there as inert data.
public enum InputValueCheck {
    /// The longest value any input accepts, whatever `max_length` says (environment variables are bounded).
    public static let absoluteMaxLength = 65_536
    /// The default longest value of single-line inputs.
    public static let defaultMaxLength = 4096

    public static func normalise(_ raw: String, for spec: InputSpec) -> Result<String, Failure> {
        let value = (spec.type == .password || spec.type == .text) ? raw : raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if value.unicodeScalars.contains(where: { $0 == "\0" }) {
            return .failure("must not contain NUL characters")
        }
        let allowsLineBreaks = spec.type == .text
        if value.unicodeScalars.contains(where: { isControl($0) && !(allowsLineBreaks && ($0 == "\n" || $0 == "\t" || $0 == "\r")) }) {
            return .failure(allowsLineBreaks ? "must not contain control characters" : "must be a single line without control characters")
        }
        let normalised: String
        switch typeCheck(value, spec: spec) {
        case .success(let value): normalised = value
        case .failure(let failure): return .failure(failure)
        }
        if let message = ruleViolation(normalised, spec: spec) { return .failure(Failure(message)) }
        return .success(normalised)
    }

    /// Why a check failed, phrased to follow the field name: "must be a port from 1 to 65535".
    public struct Failure: Error, Equatable, ExpressibleByStringLiteral, CustomStringConvertible {
        public var description: String

        public init(_ description: String) {
            self.description = description
        }

        public init(stringLiteral value: String) {
            self.description = value
        }
    }

    private static func typeCheck(_ value: String, spec: InputSpec) -> Result<String, Failure> {
        switch spec.type {
        case .string, .text, .password:
            return .success(value)
        case .integer:
            guard let number = Int64(value) else { return .failure("must be a whole number") }
            return .success(String(number))
        case .port:
            guard let number = Int(value), (1...65535).contains(number) else { return .failure("must be a port from 1 to 65535") }
            return .success(String(number))
        case .boolean:
            switch value.lowercased() {
            case "true", "yes", "on", "1": return .success("true")
            case "false", "no", "off", "0": return .success("false")
            default: return .failure("must be true or false")
            }
        case .select:
            guard spec.options.contains(where: { $0.value == value }) else {
                return .failure(Failure("must be one of: \(spec.options.map(\.value).joined(separator: ", "))"))
            }
            return .success(value)
        case .email:
            return isEmail(value) ? .success(value) : .failure("must be an e-mail address such as admin@example.com")
        case .domain:
            var domain = value.lowercased()
            if domain.hasSuffix(".") { domain.removeLast() }
            return isHostName(domain) ? .success(domain) : .failure("must be a domain name such as example.com")
        case .url:
            return isWebURL(value) ? .success(value) : .failure("must be an http:// or https:// URL with a host")
        }
    }

    private static func ruleViolation(_ value: String, spec: InputSpec) -> String? {
        let rules = spec.rules
        let length = value.count
        let maxLength = min(rules.maxLength ?? (spec.type == .text ? absoluteMaxLength : defaultMaxLength), absoluteMaxLength)
        if let minLength = rules.minLength, length < minLength {
            return "must be at least \(minLength) character\(minLength == 1 ? "" : "s")"
        }
        if length > maxLength {
            return "must be at most \(maxLength) characters"
        }
        if spec.type == .integer || spec.type == .port, let number = Int64(value) {
            if let minimum = rules.min, number < minimum { return "must be at least \(minimum)" }
            if let maximum = rules.max, number > maximum { return "must be at most \(maximum)" }
        }
        if let allowed = rules.allowedValues, !allowed.isEmpty, !allowed.contains(value) {
            return "must be one of: \(allowed.joined(separator: ", "))"
        }
        if let pattern = rules.pattern {
            guard let regex = try? NSRegularExpression(pattern: pattern) else {
                return "cannot be checked: the manifest's pattern is invalid"
            }
            let range = NSRange(value.startIndex..., in: value)
            if regex.firstMatch(in: value, range: range) == nil {
                return "does not match the pattern \(pattern)"
            }
        }
        return nil
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}"
    }

    /// An RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, at most 253 characters.
    public static func isHostName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-" else { return false }
            return label.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
            }
        }
    }

    /// A pragmatic e-mail check: a local part of common characters, `@`, a host name.
    public static func isEmail(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...64).contains(parts[0].utf8.count), value.utf8.count <= 254 else { return false }
        let local = parts[0]
        guard local.first != ".", local.last != ".", !local.contains("..") else { return false }
        let allowedPunctuation = Set("!#$%&'*+-/=?^_`{|}~.".utf8)
        let localOK = local.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || allowedPunctuation.contains(byte)
        }
        return localOK && isHostName(String(parts[1]))
    }

    /// An absolute `http` or `https` URL with a host and nothing a browser would have to guess at.
    public static func isWebURL(_ value: String) -> Bool {
        guard !value.contains(where: { $0.isWhitespace }), let components = URLComponents(string: value),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else { return false }
        let bareHost = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        return isHostName(bareHost.lowercased()) || bareHost.contains(":") || bareHost.split(separator: ".").count == 4
    }
}
