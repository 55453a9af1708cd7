import StewardCore

/// Fans the hub's state changes out to whoever listens in this process (SSE clients, the
/// dispatcher's wake-ups) and, through a relay, to the other hubs sharing the database.
public actor EventBus {
    /// Carries events to other hubs; `nil` on SQLite, where there is only one hub.
    public protocol Relay: Sendable {
        func send(_ event: Wire.Event)
    }

    private var subscribers: [Int: AsyncStream<Wire.Event>.Continuation] = [:]
    private var nextID = 0
    private var relay: (any Relay)?
    /// Sees every event first, from this hub or another; the dispatcher wakes long polls with it.
    private let observer: @Sendable (Wire.Event) async -> Void

    /// How many events a slow subscriber may fall behind before the oldest are dropped for it.
    static let subscriberBuffer = 4096

    public init(observer: @escaping @Sendable (Wire.Event) async -> Void = { _ in }) {
        self.observer = observer
    }

    func connect(_ relay: any Relay) {
        self.relay = relay
    }

    /// A stream of every event from now on; it ends its subscription when the stream is dropped.
    func subscribe() -> AsyncStream<Wire.Event> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: Wire.Event.self, bufferingPolicy: .bufferingNewest(Self.subscriberBuffer))
        let id = nextID
        nextID += 1
        subscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        return stream
    }

    /// Publishes an event of this hub: to local subscribers, and to the other hubs.
    func publish(_ event: Wire.Event) async {
        relay?.send(event)
        await deliver(event)
    }

    /// Hands an event to this hub's listeners only (events that came from another hub).
    func deliver(_ event: Wire.Event) async {
        await observer(event)
        for continuation in subscribers.values { continuation.yield(event) }
    }

    /// Events published one after another, in order.
    func publish(_ events: [Wire.Event]) async {
        for event in events { await publish(event) }
    }

    var subscriberCount: Int { subscribers.count }

    private func unsubscribe(_ id: Int) {
        subscribers[id] = nil
    }
}
