import ServiceLifecycle
import StewardCore

/// What a Server-Sent Events response waits on: the hub's events and a keep-alive tick. The feed
/// ends when the hub shuts down gracefully, so open streams never hold a shutdown up.
enum EventFeed {
    enum Signal: Sendable {
        case event(Wire.Event)
        /// Nothing happened for a while: time for a keep-alive comment (and a look at the database,
        /// in case an event was missed).
        case tick
    }

    static let tickInterval: Duration = .seconds(15)

    /// Subscribes before returning, so nothing published after this call is missed.
    static func open(_ bus: EventBus, tick: Duration = tickInterval) async -> AsyncStream<Signal> {
        let events = await bus.subscribe()
        let (signals, continuation) = AsyncStream.makeStream(of: Signal.self, bufferingPolicy: .bufferingNewest(EventBus.subscriberBuffer))
        let forwarding = Task {
            await withGracefulShutdownHandler {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await event in events { continuation.yield(.event(event)) }
                    }
                    group.addTask {
                        while (try? await Task.sleep(for: tick)) != nil { continuation.yield(.tick) }
                    }
                    await group.next()
                    group.cancelAll()
                }
            } onGracefulShutdown: {
                continuation.finish()
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in forwarding.cancel() }
        return signals
    }
}
