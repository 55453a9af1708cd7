/// The whole of what a hub may report about itself: every field of ``Wire/Telemetry/Window``, and
/// nothing more. The hub applies it before sending and the license service again before storing.
public enum TelemetryAllowList {
    /// At most this many rows of job aggregates (kind × status × app) in one window.
    public static let maxJobRows = 500
    /// At most this many entries in any table (agent versions, systems, error codes, apps).
    public static let maxTableEntries = 200

    public static let window: TelemetryRule = .object([
        "instance_id": .identifier,
        "window_start": .timestamp,
        "window_end": .timestamp,
        "hub_version": .version,
        "database": .word(TelemetryVocabulary.databases),
        "users": .count,
        "servers": .object([
            "total": .count,
            "by_status": .map(key: .word(TelemetryVocabulary.serverStatuses), value: .count, maxEntries: maxTableEntries),
            "by_os": .map(key: .osRelease, value: .count, maxEntries: maxTableEntries),
        ]),
        "agent_versions": .map(key: .version, value: .count, maxEntries: maxTableEntries),
        "jobs": .list(
            .object([
                "kind": .word(TelemetryVocabulary.jobKinds),
                "status": .word(TelemetryVocabulary.jobStatuses),
                "app": .word(TelemetryVocabulary.apps),
                "count": .count,
                "p50_ms": .duration,
                "p95_ms": .duration,
            ]), maxCount: maxJobRows),
        "error_codes": .map(key: .word(TelemetryVocabulary.errorCodes), value: .count, maxEntries: maxTableEntries),
        "apps_installed": .map(key: .word(TelemetryVocabulary.apps), value: .count, maxEntries: maxTableEntries),
    ])
}
