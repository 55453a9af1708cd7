import Foundation
import Logging
import NIOPosix
import PostgresKit
import SQLKit
import ServiceLifecycle
import StewardHub

/// The databases every storage test runs on: SQLite always, PostgreSQL when
/// `STEWARD_TEST_POSTGRES_URL` names a server on this machine (CI always sets it).
public enum TestDatabase: String, CustomStringConvertible, Sendable, CaseIterable {
    case sqlite
    case postgresql

    public var description: String { rawValue }

    /// The databases available in this run.
    public static var available: [TestDatabase] {
        postgresAdminURL == nil ? [.sqlite] : [.sqlite, .postgresql]
    }

    /// The server's URL; tests create and drop their own databases on it. Only loopback hosts are accepted,
    /// so a stray variable can never point the suite at a real database.
    public static var postgresAdminURL: String? {
        guard let url = ProcessInfo.processInfo.environment["STEWARD_TEST_POSTGRES_URL"], !url.isEmpty else { return nil }
        guard let host = URLComponents(string: url)?.host, ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) else {
            fatalError("STEWARD_TEST_POSTGRES_URL must point at a PostgreSQL server on loopback, not \(url)")
        }
        return url
    }

    public static let logger: Logger = {
        var logger = Logger(label: "steward.tests")
        logger.logLevel = .warning
        return logger
    }()

    /// A fresh, empty database of this kind for one test, deleted afterwards.
    public func withFreshLocation<T>(_ body: (DatabaseLocation) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            return try await body(.sqlite(path: directory.path + "/steward.sqlite"))
        case .postgresql:
            guard let adminURL = Self.postgresAdminURL, var components = URLComponents(string: adminURL) else {
                throw TestFailure("PostgreSQL is not configured")
            }
            let name = "steward_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
            try await Self.applicationRole.value
            try await Self.admin(adminURL, "CREATE DATABASE \(name) OWNER \(Self.applicationRoleName)")
            components.path = "/" + name
            components.user = Self.applicationRoleName
            components.password = nil
            do {
                let result = try await body(.postgresql(url: components.string!))
                try await Self.admin(adminURL, "DROP DATABASE \(name) WITH (FORCE)")
                return result
            } catch {
                try? await Self.admin(adminURL, "DROP DATABASE \(name) WITH (FORCE)")
                throw error
            }
        }
    }

    /// A migrated store on a fresh database, its pool running for the duration of `body`.
    public func withStore<T: Sendable>(_ body: @Sendable (Store) async throws -> T) async throws -> T {
        try await withFreshLocation { location in try await Self.withStore(at: location, body) }
    }

    /// A migrated store on the database at `location`, its pool running for the duration of `body`.
    public static func withStore<T: Sendable>(at location: DatabaseLocation, _ body: @Sendable (Store) async throws -> T) async throws -> T
    {
        let pool: any DatabasePool =
            switch location {
            case .sqlite(let path): try await SQLitePool.open(path: path, logger: Self.logger)
            case .postgresql(let url): try PostgresPool(url: url, logger: Self.logger)
            }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await pool.run()
                return nil
            }
            let store = Store(pool: pool)
            do {
                try await store.migrate(logger: Self.logger)
                let result = try await body(store)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                // PostgresNIO hides the server's message unless asked for it.
                throw TestFailure(String(reflecting: error))
            }
        }
    }

    /// Runs one statement on a plain connection to `url`, outside any transaction and without any
    /// of the settings the hub's accesses make, and returns the rows' first column as text.
    public static func rawQuery(_ url: String, _ statement: String) async throws -> [String] {
        let configuration = try SQLPostgresConfiguration(url: url)
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration.coreConfiguration, id: 0, logger: logger)
        do {
            let rows = try await connection.sql().raw(SQLQueryString(statement)).all()
            try await connection.close()
            return try rows.map { row in try row.decode(column: row.allColumns[0], as: String.self) }
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// The role the hubs under test connect as: an ordinary one, neither superuser nor `BYPASSRLS`,
    /// as in production, so that row-level security applies to every PostgreSQL test. It owns each
    /// test database (and so its tables; `FORCE ROW LEVEL SECURITY` binds owners too).
    public static let applicationRoleName = "steward_app"

    /// Made once per test run; another run may have made it already.
    private static let applicationRole = Task<Void, any Error> {
        guard let adminURL = postgresAdminURL else { return }
        try await admin(
            adminURL,
            """
            DO $$ BEGIN
                CREATE ROLE \(applicationRoleName) LOGIN NOSUPERUSER NOBYPASSRLS;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$
            """)
    }

    /// Runs one statement outside any transaction (`CREATE DATABASE` cannot run in one).
    private static func admin(_ url: String, _ statement: String) async throws {
        _ = try await rawQuery(url, statement)
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// A directory under the system's temporary directory, removed by `remove()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init() throws {
        path = NSTemporaryDirectory() + "steward-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
