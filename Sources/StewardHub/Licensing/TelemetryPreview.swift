import Foundation
import Logging
import ServiceLifecycle
import StewardCore

/// What `steward hub telemetry preview` prints: the window the hub would send now, through the
/// allow-list, as indented JSON.
public struct TelemetryPreview: Sendable {
    public var body: String
    /// Said on standard error when the preview is not quite what would go (not activated yet).
    public var note: String?

    public static func make(database: DatabaseLocation, logger: Logger) async throws -> TelemetryPreview {
        let pool: any DatabasePool =
            switch database {
            case .sqlite(let path): try await SQLitePool.open(path: path, logger: logger)
            case .postgresql(let url): try PostgresPool(url: url, logger: logger)
            }
        return try await withThrowingTaskGroup(of: TelemetryPreview?.self) { group in
            group.addTask {
                try await pool.run()
                return nil
            }
            defer { group.cancelAll() }
            let store = Store(pool: pool)
            try await store.migrate(logger: logger)
            let now = Date()
            let activation = try await store.licenseActivation()
            var start = try await store.lastTelemetryWindowEnd()
            if start == nil { start = activation?.activatedAt }
            let window = TelemetryWindowBuilder.window(
                try await store.telemetryAggregates(from: start ?? now.addingTimeInterval(-3600), to: now),
                instanceID: activation?.instanceID ?? "00000000-0000-0000-0000-000000000000", start: start ?? now.addingTimeInterval(-3600),
                end: now, database: pool.kind)
            let redacted = TelemetryRedactor().redact(try JSONValue(encoding: window))
            let encoder = Wire.makeEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return TelemetryPreview(
                body: String(decoding: try encoder.encode(redacted.value), as: UTF8.self),
                note: activation == nil
                    ? "This hub is not activated: it sends nothing. Shown with a placeholder instance id, over the last hour." : nil)
        }
    }
}
