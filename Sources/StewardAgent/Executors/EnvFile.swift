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

    /// Sets `values` (replacing a key where it is, appending new keys sorted) and removes `remove`.
    mutating func apply(set values: [String: String], remove: [String]) {
        var pending = values
        lines = lines.compactMap { line in
            guard case .entry(let key, _) = line else { return line }
            if remove.contains(key) { return nil }
            if let value = pending.removeValue(forKey: key) { return .entry(key: key, value: value) }
            return line
        }
        for key in pending.keys.sorted() { lines.append(.entry(key: key, value: pending[key]!)) }
    }

    var text: String {
        lines.map { line in
            switch line {
            case .entry(let key, let value): "\(key)=\(Self.quote(value))"
            case .other(let text): text
            }
        }.joined(separator: "\n") + "\n"
    }

    /// Values with anything a reader could misread go in double quotes, with `\` and `"` escaped.
    private static func quote(_ value: String) -> String {
        guard value.contains(where: { " \t\"'#$\\`".contains($0) }) else { return value }
        return "\"" + value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
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
