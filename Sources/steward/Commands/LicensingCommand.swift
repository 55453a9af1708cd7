import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import StewardAgentCommand
import StewardHub
import StewardLicensing

/// `steward licensing`: runs the license service (the default), or replaces its administrator key.
struct LicensingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "licensing", abstract: "Run the license service (the default), or replace its administrator key.",
        subcommands: [LicensingRunCommand.self, LicensingRotateAdminKeyCommand.self], defaultSubcommand: LicensingRunCommand.self)
}

struct LicensingRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the license service: clients, instances, activation and telemetry.",
        discussion: """
            On the first start the service makes the administrator key and prints it once;
            STEWARD_LICENSING_ADMIN_KEY chooses it instead. Send it as X-Admin-Api-Key, or sign in to the
            console with it. LOG_LEVEL sets the log level (trace … critical).
            """
    )

    @OptionGroup var options: LicensingOptions

    func run() async throws {
        let logger = options.logFormat.bootstrap(label: "steward.licensing")
        var configuration = try options.configuration()
        let configured = ProcessInfo.processInfo.environment["STEWARD_LICENSING_ADMIN_KEY"]
        configuration.initialAdminKey = configured
        configuration.announceAdminKey = { key in
            let shown = key == configured ? "(from STEWARD_LICENSING_ADMIN_KEY)" : key
            Console.write("\nThe license service made its administrator key. Keep it now; it is not shown again.\n  admin key: \(shown)\n")
        }
        let app = try await buildLicensingApplication(configuration: configuration, logger: logger)
        try await app.runService()
    }
}

/// `steward licensing rotate-admin-key`: run on the service's machine, with its data directory.
struct LicensingRotateAdminKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-admin-key",
        abstract: "Replace the administrator key: the old one and every console session stop working at once.",
        discussion: "Prints the new key once. Works while the service runs (it reads the key from the database on every request)."
    )

    @OptionGroup var options: LicensingOptions

    func run() async throws {
        let logger = options.logFormat.bootstrap(label: "steward.licensing")
        let configuration = try options.configuration()
        let pool = try await configuration.openPool(logger: logger)
        let key = try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                try await pool.run()
                return nil
            }
            let store = LicensingStore(pool: pool)
            try await store.migrate(logger: logger)
            let key = try await AdminAccess(store: store, clock: configuration.clock).rotate()
            group.cancelAll()
            return key
        }
        Console.write("\nThe administrator key was replaced. Keep the new one now; it is not shown again.\n  admin key: \(key)\n")
    }
}

/// The flags of `steward licensing` and its subcommands.
struct LicensingOptions: ParsableArguments {
    @Option(help: "Where the service keeps its SQLite database (by default).")
    var dataDir = "./steward-licensing"

    @Option(help: "The address to serve HTTP on.")
    var listen = ListenAddress(argument: "127.0.0.1:8200")!

    @Option(help: "postgres://user:pass@host:port/db for PostgreSQL; default: SQLite in the data directory.")
    var databaseURL: String?

    @Option(help: "Log lines as text or json.")
    var logFormat = LogFormat.text

    func configuration() throws -> LicensingConfiguration {
        let environment = ProcessInfo.processInfo.environment
        return LicensingConfiguration(
            dataDirectory: dataDir, host: listen.host, port: listen.port,
            database: try (databaseURL ?? environment["STEWARD_LICENSING_DATABASE_URL"]).map { try DatabaseLocation(url: $0) })
    }
}
