import Foundation
import Logging
import ServiceLifecycle
import StewardCore

/// Queues the drift checks that fall due: every `interval` for each server whose config history
/// tracks files, unless one is waiting or running. The due time moves on in the statement that
/// takes it, so of several hubs one queues each check.
struct ConfigDriftSchedule: Service {
    let history: ConfigHistoryService
    /// Between two checks of one server.
    let interval: TimeInterval
    /// How often due checks are looked for.
    let period: Duration
    let ready: StartupGate
    let logger: Logger

    func run() async throws {
        guard interval > 0 else { return }
        try await cancelWhenGracefulShutdown {
            await ready.wait()
            while !Task.isCancelled {
                await round()
                try? await Task.sleep(for: period)
            }
        }
    }

    /// Queues every check due now; returns the jobs queued.
    @discardableResult
    func round() async -> [JobRecord] {
        var queued: [JobRecord] = []
        do {
            let due = try await history.store.takeDueConfigChecks(now: history.jobs.clock.now, interval: interval, limit: 200)
            for server in due where try await !history.store.hasOpenConfigCheck(serverID: server.id, tenantID: server.tenantID) {
                if let job = try await history.queueDriftCheck(of: server) { queued.append(job) }
            }
        } catch is CancellationError {
            // The hub is shutting down.
        } catch {
            logger.error("config drift round failed", metadata: ["error": "\(String(reflecting: error))"])
        }
        return queued
    }
}
