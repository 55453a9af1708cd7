import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import StewardCore

/// Carries events between hubs that share one PostgreSQL database, with `NOTIFY` and `LISTEN` on one
/// channel. Each hub tags what it sends with its own id and ignores its own events when they come back.
///
/// Notifications are best effort (one lost while a connection is re-made is not resent); nothing
/// depends on them for correctness: a long poll that misses its wake-up still claims the job when its
/// wait ends, and a followed log re-reads the database at every tick.
final class PostgresEventRelay: EventBus.Relay, Service {
    static let channel = "steward_events"

    private struct Envelope: Codable {
        var origin: String
        var event: Wire.Event
    }

    private let client: PostgresClient
    private let bus: EventBus
    private let logger: Logger
    private let origin = UUID().uuidString.lowercased()
    private let outbound: AsyncStream<Wire.Event>
    private let continuation: AsyncStream<Wire.Event>.Continuation

    init(client: PostgresClient, bus: EventBus, logger: Logger) {
        self.client = client
        self.bus = bus
        self.logger = logger
        (outbound, continuation) = AsyncStream.makeStream(of: Wire.Event.self, bufferingPolicy: .bufferingNewest(10_000))
    }

    /// Queues the event for the other hubs; one sender keeps them in order.
    func send(_ event: Wire.Event) {
        continuation.yield(event)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.sendQueued() }
                group.addTask { await self.listen() }
                await group.next()
                group.cancelAll()
            }
        }
    }

    private func sendQueued() async {
        let encoder = Wire.makeEncoder()
        for await event in outbound {
            do {
                let payload = String(decoding: try encoder.encode(Envelope(origin: origin, event: event)), as: UTF8.self)
                try await client.withConnection { connection in
                    _ = try await connection.query("SELECT pg_notify(\(Self.channel), \(payload))", logger: self.logger)
                }
            } catch {
                logger.warning("cannot send an event to the other hubs", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }

    /// Listens on one pooled connection for as long as the hub runs, making it again when it breaks.
    private func listen() async {
        let decoder = Wire.makeDecoder()
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        for try await notification in notifications {
                            guard let envelope = try? decoder.decode(Envelope.self, from: Data(notification.payload.utf8)),
                                envelope.origin != self.origin
                            else { continue }
                            await self.bus.deliver(envelope.event)
                        }
                    }
                }
            } catch {
                guard !Task.isCancelled else { return }
                logger.warning("listening for other hubs' events failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
