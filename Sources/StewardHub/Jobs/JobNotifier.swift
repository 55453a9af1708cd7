/// Wakes agents' long polls the moment a job is queued for their server (in-process; one hub).
///
/// A poll reads the server's generation before it looks for a job and waits "after" it: a job queued
/// between the look and the wait has moved the generation on, and the wait returns at once instead of
/// sleeping through the whole poll.
actor JobNotifier {
    private var generations: [String: UInt64] = [:]
    private var waiters: [String: [Int: CheckedContinuation<Void, Never>]] = [:]
    /// Waits that ended (timeout or cancellation) before their continuation was registered.
    private var endedEarly: Set<Int> = []
    /// Waits resumed by `notify` whose `end` has not been called yet.
    private var notified: Set<Int> = []
    private var nextID = 0

    /// How many notifications `serverID` has had.
    func generation(of serverID: String) -> UInt64 {
        generations[serverID, default: 0]
    }

    /// Returns when a job is queued for `serverID` after generation `seen`, or after `timeout`.
    func wait(serverID: String, after seen: UInt64, timeout: Duration) async {
        guard generations[serverID, default: 0] == seen else { return }
        let id = nextID
        nextID += 1
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.suspend(serverID: serverID, id: id, seen: seen) }
            await group.next()
            group.cancelAll()
            end(serverID: serverID, id: id)
        }
    }

    func notify(serverID: String) {
        generations[serverID, default: 0] &+= 1
        for (id, continuation) in waiters.removeValue(forKey: serverID) ?? [:] {
            notified.insert(id)
            continuation.resume()
        }
    }

    private func suspend(serverID: String, id: Int, seen: UInt64) async {
        if endedEarly.remove(id) != nil { return }
        // A notification that came while this wait was being set up counts.
        guard generations[serverID, default: 0] == seen else { return }
        await withCheckedContinuation { waiters[serverID, default: [:]][id] = $0 }
    }

    private func end(serverID: String, id: Int) {
        if let continuation = waiters[serverID]?.removeValue(forKey: id) {
            continuation.resume()
        } else if notified.remove(id) == nil {
            endedEarly.insert(id)
        }
    }
}
