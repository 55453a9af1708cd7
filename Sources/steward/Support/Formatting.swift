import ArgumentParser
import Foundation
import StewardCore

/// Small renderings shared by the operator commands.
enum Formatting {
    /// "12 s ago", "3 min ago", "5 h ago", or the date for older times.
    static func ago(_ date: Date?, now: Date = Date()) -> String {
        guard let date else { return "never" }
        let seconds = Int(now.timeIntervalSince(date))
        switch seconds {
        case ..<60: return "\(max(seconds, 0)) s ago"
        case ..<3600: return "\(seconds / 60) min ago"
        case ..<86_400: return "\(seconds / 3600) h ago"
        default: return date.formatted(.iso8601.year().month().day())
        }
    }

    /// `name         value` lines, names padded to one column.
    static func fields(_ rows: [(String, String)]) -> String {
        rows.map { name, value in name.padding(toLength: 13, withPad: " ", startingAt: 0) + value }.joined(separator: "\n")
    }

    static func labels(_ labels: [String: String]) -> String {
        labels.isEmpty ? "-" : labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }.joined(separator: ",")
    }

    static func bytes(_ count: Int64) -> String {
        let gib = Double(count) / 1_073_741_824
        return gib >= 1 ? String(format: "%.1f GiB", gib) : String(format: "%.0f MiB", Double(count) / 1_048_576)
    }

    /// Parses `90s`, `30m`, `12h`, `7d` (or plain seconds) into seconds.
    static func duration(_ text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let value = Int(text), value > 0 { return value }
        guard let unit = text.last, let factor = units[unit], let value = Int(text.dropLast()), value > 0 else { return nil }
        return value * factor
    }

    /// `key=value` sets a label, `key-` removes it.
    static func labelChange(_ text: String) -> (key: String, value: String?)? {
        if let equals = text.firstIndex(of: "=") {
            return (String(text[..<equals]), String(text[text.index(after: equals)...]))
        }
        if text.hasSuffix("-"), text.count > 1 { return (String(text.dropLast()), nil) }
        return nil
    }

    /// `--set name=value` options as input values.
    static func inputValues(_ options: [String]) throws -> [String: InputValue] {
        var inputs: [String: InputValue] = [:]
        for option in options {
            guard let (name, text) = labelChange(option), let text else {
                throw ValidationError("--set takes name=value, not '\(option)'")
            }
            inputs[name] = .text(text)
        }
        return inputs
    }
}
