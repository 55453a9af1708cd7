import Foundation

/// A one-way switch that running programs watch: once it is set, the program's whole process group
/// is stopped (SIGTERM, then SIGKILL after the grace period). The hub sets it by cancelling the job.
/// One signal serves every step of a job, one after another.
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]

    public init() {}

    public func stop() {
        let waiting = lock.withLock {
            stopped = true
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        for waiter in waiting { waiter.resume() }
    }

    public var isStopped: Bool { lock.withLock { stopped } }

    /// Returns once `stop()` was called, or when the waiting task is cancelled (check ``isStopped``).
    func wait() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = lock.withLock {
                    guard !stopped, !Task.isCancelled else { return true }
                    waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            lock.withLock { waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
