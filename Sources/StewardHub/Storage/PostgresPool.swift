import Logging
import PostgresKit
import PostgresNIO
import SQLKit
import ServiceLifecycle

/// PostgreSQL through PostgresNIO's `PostgresClient` pool, for hubs that share one database.
///
/// The client must run for queries to proceed, so the pool is also a `Service` that the hub puts in
/// its service group ahead of everything that queries.
public final class PostgresPool: DatabasePool, Service {
    public let kind = DatabaseKind.postgresql
    let client: PostgresClient
    private let logger: Logger

    public init(url: String, logger: Logger) throws(ConfigurationError) {
        guard let configuration = try? SQLPostgresConfiguration(url: url) else {
            throw ConfigurationError("--database-url is not a valid PostgreSQL URL")
        }
        let core = configuration.coreConfiguration
        var clientConfiguration: PostgresClient.Configuration
        if let socket = core.unixSocketPath {
            clientConfiguration = .init(
                unixSocketPath: socket, username: core.username, password: core.password, database: core.database)
        } else if let host = core.host {
            // Loopback and private networks are the norm; TLS is used when the server offers it.
            let tls: PostgresClient.Configuration.TLS =
                core.tls.isEnforced
                ? .require(.makeClientConfiguration()) : (core.tls.isAllowed ? .prefer(.makeClientConfiguration()) : .disable)
            clientConfiguration = .init(
                host: host, port: core.port ?? 5432, username: core.username, password: core.password,
                database: core.database, tls: tls)
        } else {
            throw ConfigurationError("--database-url must name a PostgreSQL host or socket")
        }
        clientConfiguration.options.maximumConnections = 20
        self.client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.client.run()
        }
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(connection.sql(queryLogLevel: .trace))
        }
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            let database = connection.sql(queryLogLevel: .trace)
            try await database.raw("BEGIN").run()
            do {
                let result = try await body(database)
                try await database.raw("COMMIT").run()
                return result
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}
