import Foundation
import StewardCore

/// Turns the hub's counts into a telemetry window, in the words the allow-list knows, and passes it
/// through the same allow-list the license service applies: what leaves the hub is what
/// `steward hub telemetry preview` prints.
enum TelemetryWindowBuilder {
    static func window(
        _ aggregates: TelemetryAggregates, instanceID: String, start: Date, end: Date, database: DatabaseKind
    ) -> Wire.Telemetry.Window {
        var systems: [String: Int] = [:]
        for (release, count) in aggregates.serversByOS { systems[osRelease(release), default: 0] += count }
        var errors: [String: Int] = [:]
        for group in aggregates.jobs where TelemetryVocabulary.errorCodes.contains(group.status) {
            errors[group.status, default: 0] += group.count
        }
        return Wire.Telemetry.Window(
            instanceID: instanceID, windowStart: start, windowEnd: end, hubVersion: StewardVersion.current, database: database.rawValue,
            users: aggregates.users,
            servers: .init(total: aggregates.serversByPresence.values.reduce(0, +), byStatus: aggregates.serversByPresence, byOS: systems),
            agentVersions: aggregates.agentVersions,
            jobs: aggregates.jobs.map {
                .init(kind: $0.kind, status: $0.status, app: $0.app, count: $0.count, p50Ms: $0.p50Ms, p95Ms: $0.p95Ms)
            },
            errorCodes: errors, appsInstalled: aggregates.installedApps)
    }

    /// `debian-12` for Debian 12.x; `other` for a system outside the vocabulary or an odd version.
    static func osRelease(_ release: TelemetryAggregates.OSRelease) -> String {
        let major = release.version.prefix { $0 != "." }
        guard TelemetryVocabulary.osIDs.contains(release.id), (1...4).contains(major.count), major.allSatisfy(\.isASCII),
            major.allSatisfy(\.isNumber)
        else { return TelemetryVocabulary.other }
        return "\(release.id)-\(major)"
    }

    /// The window as sent: JSON after the allow-list, and how many fields it dropped.
    static func redactedBody(_ window: Wire.Telemetry.Window) throws -> (body: String, droppedFields: Int) {
        let redacted = TelemetryRedactor().redact(try JSONValue(encoding: window))
        return (try redacted.value.jsonText(), redacted.droppedFields)
    }
}
