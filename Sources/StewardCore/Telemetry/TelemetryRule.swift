/// What one place of a telemetry document may hold. Anything else is dropped by ``TelemetryRedactor``.
public indirect enum TelemetryRule: Sendable {
    /// An object with only these members, each by its own rule.
    case object([String: TelemetryRule])
    /// An object used as a table: each key by `key` (a string rule), each value by `value`.
    case map(key: TelemetryRule, value: TelemetryRule, maxEntries: Int)
    case list(TelemetryRule, maxCount: Int)
    /// A whole number from 0 to 10¹².
    case count
    /// Milliseconds: a number from 0 to 10¹².
    case duration
    /// A UTC date-time, `2026-12-07T18:00:00Z`.
    case timestamp
    /// A lower-case UUID.
    case identifier
    /// A release number: `1.2.3`, optionally `-alpha`/`-beta`/`-rc`/`-dev` and a number.
    case version
    /// One word of a closed vocabulary.
    case word(Set<String>)
    /// An operating system and its major version, `debian-12`, from ``TelemetryVocabulary/osIDs``.
    case osRelease
}
