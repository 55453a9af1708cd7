import Foundation
import Logging
import ServiceLifecycle
import StewardCore

/// Once a second: turns running attempts whose agent went silent into lost attempts, so the retry
/// policy runs them again (or gives up), cancels jobs whose predecessor in a `requires` chain did
/// not succeed, and marks servers that stopped heartbeating offline.
/// Both are conditional updates, so with several hubs each change is made, and announced, once.
struct Sweeper: Service {
    let jobs: JobService
    /// A server is offline after this long without a heartbeat.
    let offlineAfter: TimeInterval
    let ready: StartupGate
    let metrics: HubMetrics
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            await ready.wait()
            // The agents could not renew their leases while no hub ran; give them a full window now.
            do {
                try await jobs.extendLeasesAfterStart()
            } catch {
                logger.error("cannot extend the leases of running jobs", metadata: ["error": "\(String(reflecting: error))"])
            }
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await sweep()
            }
        }
    }

    private func sweep() async {
        let start = ContinuousClock.now
        defer { metrics.sweepTook(.now - start) }
        do {
            for job in try await jobs.expireLeases() {
                logger.warning(
                    "job attempt lost",
                    metadata: ["job.id": "\(job.id)", "job.attempt": "\(job.attempt)", "job.status": "\(job.status.rawValue)"])
            }
            for job in try await jobs.cancelOrphans() {
                logger.info("job cancelled: its predecessor did not succeed", metadata: ["job.id": "\(job.id)"])
            }
            let cutoff = jobs.clock.now.addingTimeInterval(-offlineAfter)
            for server in try await jobs.store.markSilentServersOffline(cutoff: cutoff, at: jobs.clock.now) {
                logger.info("server went offline", metadata: ["server.id": "\(server.id)"])
                await jobs.events.publish(server.event(.serverOffline))
            }
        } catch is CancellationError {
            // The hub is shutting down.
        } catch {
            logger.error("sweep failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
