import Foundation
import Logging
import StewardCore

/// The keep-alives carried by idle agents' long polls, written together about once a second.
///
/// Ten thousand agents polling every 15 s are 667 keep-alives a second; one UPDATE and commit each
/// kept SQLite's single writer busy enough to delay everything behind it by seconds. A batch is one
/// transaction. What is lost if the hub dies before a batch is written is at most a second of "last
/// seen", far inside the three intervals after which a server is taken for offline; a server that
/// was offline is marked online (and its event published) when its batch is written.
actor KeepAliveBatch {
    private let store: Store
    private let events: EventBus
    private let clock: HubClock
    private let logger: Logger
    private var pending: Set<String> = []
    private var writing = false

    init(store: Store, events: EventBus, clock: HubClock, logger: Logger) {
        self.store = store
        self.events = events
        self.clock = clock
        self.logger = logger
    }

    /// Notes that `serverID`'s agent was seen now; written within about a second.
    func seen(_ serverID: String) {
        pending.insert(serverID)
        guard !writing else { return }
        writing = true
        Task { await self.writeAfterPause() }
    }

    private func writeAfterPause() async {
        try? await Task.sleep(for: .seconds(1))
        let batch = Array(pending)
        pending.removeAll(keepingCapacity: true)
        // Stamped when written: at most a second later than the keep-alive came.
        let now = clock.now
        do {
            for server in try await store.recordHeartbeats(serverIDs: batch, at: now) {
                await events.publish(Wire.Event(kind: .serverOnline, at: now, tenantID: server.tenantID, serverID: server.id))
            }
        } catch {
            logger.error("cannot record keep-alives", metadata: ["servers": "\(batch.count)", "error": "\(String(reflecting: error))"])
        }
        writing = false
        if !pending.isEmpty {
            writing = true
            Task { await self.writeAfterPause() }
        }
    }
}
