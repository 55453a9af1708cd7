import Foundation

/// A `.env` file: `KEY=value` lines, kept in order with their comments and blank lines, so that
/// `env.set` changes only the keys it names.
struct EnvFile: Equatable {
    private enum Line: Equatable {
        case entry(key: String, value: String)
        /// Comments, blank lines, and anything that is not a `KEY=value` line, kept as they were.
        case other(String)
    }

    private var lines: [Line]

    init(text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { raw in
            var line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.hasPrefix("export ") { line = line.dropFirst("export ".count) }
            guard let equals = line.firstIndex(of: "="), !line.hasPrefix("#") else { return .other(String(raw)) }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard key.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]*/) != nil else { return .other(String(raw)) }
            return .entry(key: key, value: Self.unquote(line[line.index(after: equals)...]))
        }
        if lines.last == .other("") { lines.removeLast() }
    }

    var values: [String: String] {
        var values: [String: String] = [:]
        for case .entry(let key, let value) in lines { values[key] = value }
        return values
    }

    /// Sets `values` (replacing every line of a key where it stands, appending new keys sorted) and
    /// removes `remove`.
    mutating func apply(set values: [String: String], remove: [String]) {
        var appended = values
        lines = lines.compactMap { line in
            guard case .entry(let key, _) = line else { return line }
            if remove.contains(key) { return nil }
            if let value = values[key] {
                appended.removeValue(forKey: key)
                return .entry(key: key, value: value)
            }
            return line
        }
        for key in appended.keys.sorted() { lines.append(.entry(key: key, value: appended[key]!)) }
    }

    var text: String {
        lines.map { line in
            switch line {
            case .entry(let key, let value): "\(key)=\(Self.quote(value))"
            case .other(let text): text
            }
        }.joined(separator: "\n") + "\n"
    }

    /// Why `value` cannot be written so that `sh` and Docker Compose both read it back unchanged, or
    /// `nil` when it can. A single quote has no escape inside single quotes in either, and outside
    /// them each would read the rest differently.
    static func problem(writing value: String) -> String? {
        value.contains("'") ? "contains a single quote, which no quoting keeps literal for both sh and Docker Compose" : nil
    }

    /// Plain values as they are; anything else in single quotes, inside which neither `sh` nor
    /// Compose expands `$`, a backtick or a backslash.
    static func quote(_ value: String) -> String {
        let plain =
            !value.isEmpty
            && value.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_-./:@,+=%".unicodeScalars.contains($0))
            }
        return plain ? value : "'" + value + "'"
    }

    private static func unquote(_ raw: Substring) -> String {
        let value = raw.trimmingCharacters(in: .whitespaces)
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
            var result = ""
            var escaped = false
            for character in value.dropFirst().dropLast() {
                if escaped {
                    result.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else {
                    result.append(character)
                }
            }
            return result
        }
        if value.count >= 2, value.hasPrefix("'"), value.hasSuffix("'") { return String(value.dropFirst().dropLast()) }
        return value
    }
}
