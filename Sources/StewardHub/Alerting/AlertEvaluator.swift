import Foundation
import Logging
import ServiceLifecycle
import StewardCore

/// Evaluates every tenant's alert rules every `interval` seconds (``AlertEvaluation``), and once an
/// hour purges events, resolved alerts and finished deliveries past their retention. With several
/// hubs on one PostgreSQL, one evaluates at a time; what it decides is written with the
/// notifications it causes, so a restart neither repeats nor loses one.
struct AlertEvaluator: Service {
    let store: Store
    let clock: HubClock
    let interval: TimeInterval
    /// How long events, resolved alerts and deliveries are kept.
    let retention: TimeInterval
    /// Where alerts that fire or resolve are announced (the console's alerts page listens).
    let events: EventBus
    let ready: StartupGate
    let logger: Logger
    /// How old the latest sample may be for a metric rule to judge by it.
    static let freshMetrics: TimeInterval = 180
    /// How far back a `job` rule looks for jobs that ended badly; older ones resolve.
    static let jobWindow: TimeInterval = 86_400

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            await ready.wait()
            var purgedAt = Date.distantPast
            while !Task.isCancelled {
                do {
                    try await round()
                    if clock.now.timeIntervalSince(purgedAt) >= 3600 {
                        purgedAt = clock.now
                        try await store.purgeAlerting(before: purgedAt.addingTimeInterval(-retention))
                    }
                } catch is CancellationError {
                    // The hub is shutting down.
                } catch {
                    logger.warning("alert evaluation failed; trying again", metadata: ["error": "\(String(reflecting: error))"])
                }
                try? await Task.sleep(for: .seconds(interval))
            }
        }
    }

    /// One evaluation; the changes written, or `nil` when another hub was evaluating.
    @discardableResult
    func round() async throws -> [AlertChange]? {
        let now = clock.now
        let changes = try await store.evaluateAlerts(
            now: now, metricsSince: now.addingTimeInterval(-Self.freshMetrics), jobsSince: now.addingTimeInterval(-Self.jobWindow)
        ) { snapshot in
            AlertEvaluation.changes(snapshot, now: now)
        }
        for change in changes ?? [] where change.alert.state != change.previous && !change.dropped && change.alert.state != .pending {
            await events.publish(Wire.Event(kind: .alertChanged, at: now, tenantID: change.alert.tenantID, serverID: change.alert.serverID))
            logger.info(
                "alert \(change.alert.state.rawValue)",
                metadata: [
                    "alert.id": "\(change.alert.id)", "rule.id": "\(change.alert.ruleID)", "server.id": "\(change.alert.serverID)",
                    "notifications": "\(change.deliveries.count)",
                ])
        }
        return changes
    }
}
