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
    private let observeWait: WaitObserver?

    public init(url: String, logger: Logger, observeWait: WaitObserver? = nil) throws(ConfigurationError) {
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
        self.observeWait = observeWait
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.client.run()
        }
    }

    /// A read runs in a transaction too: the row-level security settings are local to one.
    public func read<T: Sendable>(_ scope: RowScope, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await transaction(scope, body)
    }

    public func transaction<T: Sendable>(_ scope: RowScope, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let asked = ContinuousClock.now
        return try await client.withConnection { connection in
            observeWait?(ContinuousClock.now - asked)
            let database = connection.sql(queryLogLevel: .trace)
            try await database.raw("BEGIN").run()
            do {
                let (name, tenantID) = scope.settings
                // `true`: the settings end with the transaction, so a pooled connection keeps none.
                try await database.raw(
                    "SELECT set_config('steward.scope', \(bind: name), true), set_config('steward.tenant_id', \(bind: tenantID), true)"
                ).run()
                let result = try await body(database)
                try await database.raw("COMMIT").run()
                return result
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// Whether the role the hub connects as escapes row-level security (a superuser, or `BYPASSRLS`),
    /// which would leave the database's wall between tenants standing open.
    public func roleBypassesRowSecurity() async throws -> Bool {
        try await read(.hub) { db in
            try await db.raw("SELECT rolsuper OR rolbypassrls AS bypasses FROM pg_roles WHERE rolname = current_user").first()?
                .decode(column: "bypasses", as: Bool.self) ?? false
        }
    }
}
