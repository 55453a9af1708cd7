import Foundation
import Logging
import ServiceLifecycle
import StewardCore

/// Queues the health checks that fall due: each installed app whose app has a `health` script, every
/// `health_interval_seconds` (5 minutes by default), unless another job acts on it. The due time
/// moves on in the same statement that takes it, so of several hubs one queues each check.
struct HealthSchedule: Service {
    let installations: InstallationService
    /// How often due checks are looked for.
    let interval: Duration
    let ready: StartupGate
    let logger: Logger

    /// Scheduled checks are not audited (one every five minutes per app would bury what people did);
    /// each is a job with this as its requester.
    static let requester = "steward (health schedule)"

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            await ready.wait()
            while !Task.isCancelled {
                await round()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Queues every check due now; returns the jobs queued.
    @discardableResult
    func round() async -> [JobRecord] {
        var queued: [JobRecord] = []
        do {
            for installation in try await installations.store.takeDueHealthChecks(now: installations.jobs.clock.now, limit: 200) {
                if let job = try await installations.checkHealth(installation, requestedBy: Self.requester) {
                    queued.append(job)
                }
            }
        } catch is CancellationError {
            // The hub is shutting down.
        } catch {
            logger.error("health schedule round failed", metadata: ["error": "\(String(reflecting: error))"])
        }
        return queued
    }
}
