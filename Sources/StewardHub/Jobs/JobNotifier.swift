/// Wakes agents' long polls the moment a job is queued for their server (in-process; one hub).
actor JobNotifier {
    private var waiters: [String: [Int: CheckedContinuation<Void, Never>]] = [:]
    /// Waits that ended (timeout or cancellation) before their continuation was registered.
    private var endedEarly: Set<Int> = []
    /// Waits resumed by `notify` whose `end` has not been called yet.
    private var notified: Set<Int> = []
    private var nextID = 0

    /// Returns when a job is queued for `serverID`, or after `timeout`.
    func wait(serverID: String, timeout: Duration) async {
        let id = nextID
        nextID += 1
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.suspend(serverID: serverID, id: id) }
            await group.next()
            group.cancelAll()
            end(serverID: serverID, id: id)
        }
    }

    func notify(serverID: String) {
        for (id, continuation) in waiters.removeValue(forKey: serverID) ?? [:] {
            notified.insert(id)
            continuation.resume()
        }
    }

    private func suspend(serverID: String, id: Int) async {
        if endedEarly.remove(id) != nil { return }
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
