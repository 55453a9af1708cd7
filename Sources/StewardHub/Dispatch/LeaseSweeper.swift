import Foundation
import Logging
import ServiceLifecycle
import StewardCore

/// Once a second, turns running attempts whose agent went silent into lost attempts, so the retry
/// policy can run them again (or give up), and wakes the dispatcher for those that will retry.
struct LeaseSweeper: Service {
    let store: Store
    let dispatcher: JobDispatcher
    let ready: StartupGate
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            await ready.wait()
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                do {
                    for job in try await store.expireLeases(now: Date(), backoffScale: dispatcher.backoffScale) {
                        logger.warning(
                            "job attempt lost",
                            metadata: ["job.id": "\(job.id)", "job.attempt": "\(job.attempt)", "job.status": "\(job.status.rawValue)"])
                        if job.status == .retrying { await dispatcher.queued(job) }
                    }
                } catch {
                    logger.error("cannot expire job leases", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
        }
    }
}
