import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import ServiceLifecycle

/// The embedded database: one SQLite file in WAL mode, used through a single connection.
///
/// One connection serialised by a lock is deliberate: SQLite allows one writer at a time anyway, and
/// keeping every transaction on one connection means `BEGIN IMMEDIATE` can never wait on ourselves.
public final class SQLitePool: DatabasePool {
    public let kind = DatabaseKind.sqlite
    private let connection: SQLiteConnection
    private let database: any SQLDatabase
    private let lock = AsyncLock()
    private let observeWait: WaitObserver?

    public static func open(path: String, logger: Logger, observeWait: WaitObserver? = nil) async throws -> SQLitePool {
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path),
            threadPool: .singleton,
            logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any()
        )
        let pool = SQLitePool(connection: connection, observeWait: observeWait)
        try await pool.read(.hub) { db in
            try await db.raw("PRAGMA journal_mode = WAL").run()
            try await db.raw("PRAGMA synchronous = NORMAL").run()
            try await db.raw("PRAGMA foreign_keys = ON").run()
        }
        return pool
    }

    private init(connection: SQLiteConnection, observeWait: WaitObserver?) {
        self.connection = connection
        self.observeWait = observeWait
        self.database = connection.sql(queryLogLevel: .trace)
    }

    /// SQLite has no row-level security: `scope` is enforced by the ``Store`` method's own conditions.
    public func read<T: Sendable>(_ scope: RowScope, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let database = self.database
        let asked = ContinuousClock.now
        return try await lock.withLock {
            observeWait?(ContinuousClock.now - asked)
            return try await body(database)
        }
    }

    public func transaction<T: Sendable>(_ scope: RowScope, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let database = self.database
        let asked = ContinuousClock.now
        return try await lock.withLock {
            observeWait?(ContinuousClock.now - asked)
            try await database.raw("BEGIN IMMEDIATE").run()
            do {
                let result = try await body(database)
                try await database.raw("COMMIT").run()
                return result
            } catch {
                // The future-based query: in a cancelled task the async one would not run, and the
                // connection would stay inside this transaction, failing every later BEGIN.
                _ = try? await self.connection.query("ROLLBACK").get()
                throw error
            }
        }
    }

    /// Keeps the connection open until the service group shuts down, then closes it.
    public func run() async throws {
        try? await gracefulShutdown()
        try? await close()
    }

    /// Closes the connection, after the access that holds it now. (The future-based close, because
    /// the async one does nothing in a cancelled task.)
    public func close() async throws {
        try await lock.withLock { try await self.connection.close().get() }
    }
}
