import Foundation
import Logging
import ServiceLifecycle
import StewardCore

/// Once a second: turns running attempts whose agent went silent into lost attempts, so the retry
/// policy runs them again (or gives up), cancels jobs whose predecessor in a `requires` chain did
/// not succeed, and marks servers that stopped heartbeating offline.
/// Both are conditional updates, so with several hubs each change is made, and announced, once.
struct Sweeper: Service {
    let store: Store
    let dispatcher: JobDispatcher
    /// A server is offline after this long without a heartbeat.
    let offlineAfter: TimeInterval
    let ready: StartupGate
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            await ready.wait()
            // The agents could not renew their leases while no hub ran; give them a full window now.
            do {
                try await store.extendRunningLeases(until: Date().addingTimeInterval(dispatcher.leaseWindow))
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
        do {
            for job in try await store.expireLeases(now: Date(), backoffScale: dispatcher.backoffScale) {
                logger.warning(
                    "job attempt lost",
                    metadata: ["job.id": "\(job.id)", "job.attempt": "\(job.attempt)", "job.status": "\(job.status.rawValue)"])
                await dispatcher.announce(job)
            }
            for job in try await store.cancelOrphanedJobs(now: Date()) {
                logger.info("job cancelled: its predecessor did not succeed", metadata: ["job.id": "\(job.id)"])
                await dispatcher.announce(job)
            }
            for server in try await store.markSilentServersOffline(cutoff: Date().addingTimeInterval(-offlineAfter)) {
                logger.info("server went offline", metadata: ["server.id": "\(server.id)"])
                await dispatcher.events.publish(server.event(.serverOffline))
            }
        } catch {
            logger.error("sweep failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
