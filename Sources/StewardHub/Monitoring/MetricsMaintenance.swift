import Foundation
import Logging
import ServiceLifecycle

/// Rolls raw samples up into minutes and minutes into hours, and purges what is past its retention,
/// once a minute. Buckets are rolled up only once they are two minutes old, so that samples still on
/// their way are in them; later ones ask for their buckets again (``Store/appendMetrics``).
struct MetricsMaintenance: Service {
    let store: Store
    let clock: HubClock
    let retention: MetricsRetention
    let ready: StartupGate
    let logger: Logger
    static let grace: TimeInterval = 120

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            await ready.wait()
            while !Task.isCancelled {
                do {
                    try await round()
                } catch is CancellationError {
                    // The hub is shutting down.
                } catch {
                    logger.warning("metrics roll-up failed; trying again in a minute", metadata: ["error": "\(String(reflecting: error))"])
                }
                try? await Task.sleep(for: .seconds(60))
            }
        }
    }

    /// One pass: both roll-ups (each as far as it can go, in windows), then the purges.
    func round() async throws {
        let now = clock.now
        let until = now.addingTimeInterval(-Self.grace)
        for (target, window) in [(MetricResolution.minute, 6 * 3600.0), (.hour, 7 * 86_400.0)] {
            // A window at a time keeps memory bounded; a hub that was down catches up in a few passes.
            var windows = 0
            while windows < 50, try await store.rollUpMetrics(into: target, until: until, window: window).more {
                windows += 1
            }
        }
        for resolution in MetricResolution.allCases {
            try await store.purgeMetrics(resolution, before: now.addingTimeInterval(-retention.keeps(resolution)))
        }
    }
}
