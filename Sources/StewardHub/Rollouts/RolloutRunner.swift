import Foundation
import Logging
import ServiceLifecycle
import StewardCore

/// Moves running rollouts on every `interval`: records how their servers' jobs went and queues the
/// next batch when one is over (``RolloutService/advance(_:)``).
struct RolloutRunner: Service {
    let rollouts: RolloutService
    let interval: Duration
    let ready: StartupGate
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            await ready.wait()
            while !Task.isCancelled {
                await round()
                try? await Task.sleep(for: interval)
            }
        }
    }

    func round() async {
        do {
            for rollout in try await rollouts.store.runningRollouts() {
                do {
                    try await rollouts.advance(rollout)
                } catch is CancellationError {
                    return
                } catch {
                    logger.error(
                        "cannot move a rollout on", metadata: ["rollout.id": "\(rollout.id)", "error": "\(String(reflecting: error))"])
                }
            }
        } catch is CancellationError {
            // The hub is shutting down.
        } catch {
            logger.error("rollout round failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
