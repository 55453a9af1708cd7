import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle
import StewardCore

/// Delivers the notifications alerts queued (the outbox in `notification_deliveries`): each due one
/// is taken for a lease, sent, and either marked delivered or tried again with back-off until it
/// runs out of attempts. A hub that dies mid-send lets the lease lapse and another sends it.
struct NotificationSender: Service {
    let store: Store
    let clock: HubClock
    let box: SecretBox
    let transport: NotificationTransport
    let ready: StartupGate
    let logger: Logger
    /// Seconds to wait after each failed attempt; one more attempt than waits.
    static let backoff: [TimeInterval] = [10, 60, 300, 1800, 7200]
    static let lease: TimeInterval = 120

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            await ready.wait()
            while !Task.isCancelled {
                do {
                    while try await round() > 0 {}
                } catch is CancellationError {
                    // The hub is shutting down.
                } catch {
                    logger.warning("sending notifications failed; trying again", metadata: ["error": "\(String(reflecting: error))"])
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        try? await transport.http.shutdown()
    }

    /// Sends the deliveries due now; returns how many were tried.
    @discardableResult
    func round() async throws -> Int {
        let claimed = try await store.claimDeliveries(now: clock.now, lease: Self.lease, limit: 20)
        await withTaskGroup(of: Void.self) { group in
            for (delivery, channel) in claimed {
                group.addTask { await send(delivery, to: channel) }
            }
        }
        return claimed.count
    }

    private func send(_ delivery: DeliveryRecord, to channel: NotificationChannelRecord) async {
        var delivery = delivery
        let now = clock.now
        let attempt: Wire.Alerting.Attempt
        do {
            let config = try box.open(channel.sealedConfig, as: NotificationChannelRecord.Config.self)
            attempt = await transport.send(delivery.body, deliveryID: delivery.id, type: channel.type, config: config, now: now)
        } catch {
            attempt = .init(at: now, statusCode: nil, error: "the channel's sealed settings cannot be opened: \(error)")
        }
        delivery.attempts.append(attempt)
        if attempt.error == nil {
            delivery.state = .delivered
            delivery.nextAttemptAt = nil
        } else if delivery.attempts.count > Self.backoff.count {
            delivery.state = .failed
            delivery.nextAttemptAt = nil
        } else {
            delivery.nextAttemptAt = now.addingTimeInterval(Self.backoff[delivery.attempts.count - 1])
        }
        logger.log(
            level: attempt.error == nil ? .info : .warning,
            "notification \(delivery.state == .pending ? "will be retried" : delivery.state.rawValue)",
            metadata: [
                "delivery.id": "\(delivery.id)", "channel.id": "\(channel.id)", "event": "\(delivery.event)",
                "attempt": "\(delivery.attempts.count)", "error": "\(attempt.error ?? "")",
            ])
        do {
            try await store.finishDeliveryAttempt(delivery)
        } catch {
            logger.error("cannot record a notification attempt", metadata: ["delivery.id": "\(delivery.id)", "error": "\(error)"])
        }
    }
}
