import Foundation
import Logging
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
            try await Self.admin(adminURL, "CREATE DATABASE \(name)")
            components.path = "/" + name
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
        try await withFreshLocation { location in
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
    }

    private static func admin(_ url: String, _ statement: String) async throws {
        let pool = try PostgresPool(url: url, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pool.run() }
            defer { group.cancelAll() }
            try await pool.read { db in try await db.raw(SQLQueryString(statement)).run() }
        }
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
