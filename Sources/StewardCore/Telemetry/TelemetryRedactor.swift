import Foundation

/// Keeps of a telemetry document only what its ``TelemetryRule`` allows, and counts what it dropped.
///
/// An allow-list, not a deny-list: a member that is not declared, a value of the wrong type, a string
/// outside its vocabulary or pattern, and anything shaped like a secret are all dropped. What was
/// dropped is counted, never kept, logged or echoed: the count is the only trace it leaves.
public struct TelemetryRedactor: Sendable {
    public struct Result: Sendable, Equatable {
        public var value: JSONValue
        /// How many members, entries and items were dropped (a dropped object counts once, whatever it held).
        public var droppedFields: Int
    }

    public let rule: TelemetryRule

    public init(rule: TelemetryRule = TelemetryAllowList.window) {
        self.rule = rule
    }

    public func redact(_ value: JSONValue) -> Result {
        var dropped = 0
        guard let kept = Self.redact(value, by: rule, dropped: &dropped) else {
            return Result(value: .object([:]), droppedFields: dropped + 1)
        }
        return Result(value: kept, droppedFields: dropped)
    }

    /// `value` as `rule` allows it, or `nil` when nothing of it may stay (the caller counts that).
    private static func redact(_ value: JSONValue, by rule: TelemetryRule, dropped: inout Int) -> JSONValue? {
        switch (rule, value) {
        case (.object(let members), .object(let object)):
            var kept: [String: JSONValue] = [:]
            for (key, member) in object {
                guard let memberRule = members[key], let value = redact(member, by: memberRule, dropped: &dropped) else {
                    dropped += 1
                    continue
                }
                kept[key] = value
            }
            return .object(kept)
        case (.map(let keyRule, let valueRule, let maxEntries), .object(let object)):
            var kept: [String: JSONValue] = [:]
            // Sorted, so which entries survive a cut does not depend on the dictionary's order.
            for (key, entry) in object.sorted(by: { $0.key < $1.key }) {
                guard kept.count < maxEntries, allows(key, by: keyRule), let value = redact(entry, by: valueRule, dropped: &dropped)
                else {
                    dropped += 1
                    continue
                }
                kept[key] = value
            }
            return .object(kept)
        case (.list(let itemRule, let maxCount), .array(let items)):
            var kept: [JSONValue] = []
            for item in items {
                guard kept.count < maxCount, let value = redact(item, by: itemRule, dropped: &dropped) else {
                    dropped += 1
                    continue
                }
                kept.append(value)
            }
            return .array(kept)
        case (.count, .number(let number)):
            return number >= 0 && number <= 1e12 && number.rounded() == number ? value : nil
        case (.duration, .number(let number)):
            return number >= 0 && number <= 1e12 ? value : nil
        case (_, .string(let text)):
            return allows(text, by: rule) ? value : nil
        default:
            return nil
        }
    }

    /// Whether a string may stay where `rule` stands.
    public static func allows(_ text: String, by rule: TelemetryRule) -> Bool {
        guard text.utf8.count <= 64, !SecretShape.looksSecret(text) else { return false }
        switch rule {
        case .word(let vocabulary): return vocabulary.contains(text)
        case .identifier: return text.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/) != nil
        case .version: return text.wholeMatch(of: /[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}(-(alpha|beta|rc|dev)(\.[0-9]{1,4})?)?/) != nil
        case .timestamp:
            return text.wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z/) != nil
                && (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: text.contains(".")))) != nil
        case .osRelease:
            guard let match = text.wholeMatch(of: /([a-z-]{2,20})-([0-9]{1,4})/) else { return text == TelemetryVocabulary.other }
            return TelemetryVocabulary.osIDs.contains(String(match.1))
        case .object, .map, .list, .count, .duration: return false
        }
    }
}
