import SQLKit
import ServiceLifecycle

/// Access to the hub's SQL database, whichever kind it is.
///
/// The storage code above it is written once over SQLKit; what differs between SQLite and PostgreSQL
/// (connections, how a write transaction starts) stays behind this protocol and in ``Migrations``.
///
/// A pool is also a `Service`: it lives as long as the hub's service group and releases its
/// connections when the group shuts down.
public protocol DatabasePool: Service {
    /// Told how long each access waited for a connection (the hub's `steward_db_pool_wait_seconds`).
    typealias WaitObserver = @Sendable (Duration) -> Void

    var kind: DatabaseKind { get }

    /// Runs `body` with a database for reads and single-statement writes that see only the rows of
    /// `scope`.
    func read<T: Sendable>(_ scope: RowScope, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs `body` inside one write transaction that sees only the rows of `scope`: committed when it
    /// returns, rolled back when it throws.
    func transaction<T: Sendable>(_ scope: RowScope, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
}
