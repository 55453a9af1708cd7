import Logging
import Synchronization

/// The hubs an agent may talk to (`--hub`, repeatable: hubs that share one PostgreSQL database and
/// one set of keys) and the one it talks to now. A request that cannot reach the current hub (or
/// gets a 5xx) moves every loop of the agent to the next one, so the next attempt, a backoff step
/// later, goes there; the agent stays on a hub until it fails in turn.
public final class HubEndpoints: Sendable {
    public let urls: [String]
    private let index = Mutex(0)
    private let logger: Logger?

    /// `urls` without trailing slashes, in the order given; at least one.
    public init(_ urls: [String], logger: Logger? = nil) {
        precondition(!urls.isEmpty, "an agent needs a hub")
        self.urls = urls.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.logger = logger
    }

    /// The hub requests go to now.
    public var current: String {
        index.withLock { urls[$0] }
    }

    /// Says that a request to `url` failed: if it is still the current hub and there is another,
    /// the next one becomes current. Requests that were on their way to `url` when another loop had
    /// already moved on change nothing.
    public func failed(_ url: String, reason: String) {
        guard urls.count > 1 else { return }
        let moved: String? = index.withLock { position in
            guard urls[position] == url else { return nil }
            position = (position + 1) % urls.count
            return urls[position]
        }
        if let moved {
            logger?.warning(
                "hub unreachable; moving to the next", metadata: ["hub.failed": "\(url)", "hub.next": "\(moved)", "reason": "\(reason)"])
        }
    }
}
