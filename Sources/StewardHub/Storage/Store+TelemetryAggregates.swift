import Foundation
import SQLKit
import StewardCore

/// What a telemetry window is made of, counted by SQL over the whole hub: never a row, a name of the
/// customer's, or a message.
public struct TelemetryAggregates: Sendable, Equatable {
    public var serversByPresence: [String: Int]
    /// Keyed by `os_id` and `os_version` of the servers' facts, as reported.
    public var serversByOS: [OSRelease: Int]
    public var agentVersions: [String: Int]
    public var users: Int
    /// Jobs that finished in the window by kind, status and app (a built-in app's id, `other` for
    /// the hub's own apps, none for steps), the 500 biggest groups; run times of those that started.
    public var jobs: [Wire.Telemetry.JobAggregate]
    /// Current installations by built-in app id (`other` for the hub's own apps).
    public var installedApps: [String: Int]

    public struct OSRelease: Sendable, Hashable {
        public var id: String
        public var version: String
    }
}

extension Store {
    /// Counts the hub for the telemetry window `[start, end)`: servers, agents, users and
    /// installations as they are now, jobs as they finished in the window.
    public func telemetryAggregates(from start: Date, to end: Date) async throws -> TelemetryAggregates {
        let kind = pool.kind
        return try await pool.read(.hub) { db in
            var presence: [String: Int] = [:]
            var versions: [String: Int] = [:]
            var systems: [TelemetryAggregates.OSRelease: Int] = [:]
            let (osID, osVersion): (SQLQueryString, SQLQueryString) =
                switch kind {
                case .sqlite: ("json_extract(facts, '$.os_id')", "json_extract(facts, '$.os_version')")
                case .postgresql: ("(facts::json ->> 'os_id')", "(facts::json ->> 'os_version')")
                }
            let servers = try await db.raw(
                """
                SELECT presence, agent_version, \(osID) AS os_id, \(osVersion) AS os_version, COUNT(*) AS n FROM servers
                WHERE decommissioned_at IS NULL GROUP BY presence, agent_version, \(osID), \(osVersion)
                """
            ).all()
            for row in servers {
                let count = try row.decode(column: "n", as: Int.self)
                presence[try row.decode(column: "presence", as: String.self), default: 0] += count
                versions[try row.decode(column: "agent_version", as: String.self), default: 0] += count
                let release = TelemetryAggregates.OSRelease(
                    id: try row.decode(column: "os_id", as: String?.self) ?? "",
                    version: try row.decode(column: "os_version", as: String?.self) ?? "")
                systems[release, default: 0] += count
            }
            let users =
                try await db.raw("SELECT COUNT(*) AS n FROM users WHERE disabled_at IS NULL").first()?.decode(column: "n", as: Int.self)
                ?? 0
            let app = Self.telemetryApp
            var installed: [String: Int] = [:]
            for row in try await db.raw(
                "SELECT \(app) AS app, COUNT(*) AS n FROM installations WHERE status <> 'removed' GROUP BY 1"
            ).all() {
                installed[try row.decode(column: "app", as: String.self), default: 0] += try row.decode(column: "n", as: Int.self)
            }
            let window: SQLQueryString = "finished_at >= \(bind: Millis.from(start)) AND finished_at < \(bind: Millis.from(end))"
            var jobs: [Wire.Telemetry.JobAggregate] = []
            for row in try await db.raw(
                """
                SELECT kind, status, \(app) AS app, COUNT(*) AS n, COUNT(started_at) AS timed FROM jobs
                WHERE \(window) GROUP BY kind, status, 3 ORDER BY n DESC, kind, status LIMIT \(literal: TelemetryAllowList.maxJobRows)
                """
            ).all() {
                let kind = try row.decode(column: "kind", as: String.self)
                let status = try row.decode(column: "status", as: String.self)
                let appName = try row.decode(column: "app", as: String?.self)
                let timed = try row.decode(column: "timed", as: Int.self)
                let sameGroup: SQLQueryString =
                    appName.map { "kind = \(bind: kind) AND status = \(bind: status) AND \(app) = \(bind: $0)" }
                    ?? "kind = \(bind: kind) AND status = \(bind: status) AND app_id IS NULL"
                /// The run time at one rank of the group, by the index on `finished_at`.
                func duration(rank: Int) async throws -> Double {
                    guard timed > 0 else { return 0 }
                    return try await db.raw(
                        """
                        SELECT finished_at - started_at AS ms FROM jobs WHERE \(window) AND \(sameGroup) AND started_at IS NOT NULL
                        ORDER BY ms LIMIT 1 OFFSET \(literal: max(0, min(timed - 1, rank)))
                        """
                    ).first().map { Double(try $0.decode(column: "ms", as: Int64.self)) } ?? 0
                }
                jobs.append(
                    .init(
                        kind: kind, status: status, app: appName, count: try row.decode(column: "n", as: Int.self),
                        p50Ms: try await duration(rank: (timed - 1) / 2),
                        p95Ms: try await duration(rank: Int((Double(timed) * 0.95).rounded(.up)) - 1)))
            }
            return TelemetryAggregates(
                serversByPresence: presence, serversByOS: systems, agentVersions: versions, users: users, jobs: jobs,
                installedApps: installed)
        }
    }

    // Grouped by position (`GROUP BY 1`): PostgreSQL would not see two copies of this expression,
    // each with its own parameters, as the same.
    /// An app id as telemetry may name it: a built-in app's own, `other` for the hub's own apps
    /// (their names are the customer's), `NULL` for step jobs.
    private static var telemetryApp: SQLQueryString {
        let builtIn = TelemetryVocabulary.apps.subtracting([TelemetryVocabulary.other]).sorted().map { $0 as any Encodable & Sendable }
        return "(CASE WHEN app_id IS NULL THEN NULL WHEN app_id IN (\(binds: builtIn)) THEN app_id ELSE 'other' END)"
    }
}
