import HummingbirdBcrypt
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Checks passwords with bcrypt on threads of its own, never the pool that SQLite's blocking calls
/// use (a burst of sign-ins would otherwise delay every query, heartbeats included), and with a bound
/// on how many checks may wait: past it a sign-in is refused as busy instead of queueing for ever.
final class PasswordVerifier: Service, Sendable {
    private let pool: NIOThreadPool
    private let waiting = Atomic<Int>(0)
    private let maxWaiting: Int

    init(threads: Int = 1, maxWaiting: Int = 32) {
        pool = NIOThreadPool(numberOfThreads: threads)
        self.maxWaiting = maxWaiting
        pool.start()
    }

    /// Whether `password` matches `hash`; `nil` when too many checks are waiting already.
    func verify(_ password: String, hash: String) async throws -> Bool? {
        guard waiting.add(1, ordering: .relaxed).newValue <= maxWaiting else {
            waiting.subtract(1, ordering: .relaxed)
            return nil
        }
        defer { waiting.subtract(1, ordering: .relaxed) }
        return try await pool.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// Lives as long as the hub; its threads end with it.
    func run() async throws {
        try? await gracefulShutdown()
        try await pool.shutdownGracefully()
    }
}
