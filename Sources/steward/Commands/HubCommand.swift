import ArgumentParser
import Foundation
import Hummingbird
import Logging
import StewardAgentCommand
import StewardHub

/// `steward hub`: runs the hub (the default), or backs it up and restores it.
struct HubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub", abstract: "Run the hub (the default), or back it up and restore it.",
        subcommands: [HubRunCommand.self, HubBackupCommand.self, HubRestoreCommand.self, HubTelemetryCommand.self],
        defaultSubcommand: HubRunCommand.self)
}

struct HubRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the hub: the API, the database and the catalog.",
        discussion: """
            On the first start with an empty database the hub creates the owner account and prints its
            credentials once. STEWARD_BOOTSTRAP_TOKEN, STEWARD_ADMIN_PASSWORD and STEWARD_ADMIN_EMAIL choose
            them instead. LOG_LEVEL sets the log level (trace … critical).
            """
    )

    @OptionGroup var options: HubOptions

    func run() async throws {
        let logger = options.logFormat.bootstrap(label: "steward.hub")
        let app = try await buildHubApplication(configuration: try options.configuration(), logger: logger)
        try await app.runService()
    }
}

/// The flags `steward hub` and `steward demo` share.
struct HubOptions: ParsableArguments {
    @Option(help: "Where the hub keeps its keys and, by default, its SQLite database.")
    var dataDir = "./steward-data"

    @Option(help: "The address to serve HTTP on.")
    var listen = ListenAddress(argument: "127.0.0.1:8080")!

    @Option(help: "postgres://user:pass@host:port/db for PostgreSQL; default: SQLite in the data directory.")
    var databaseURL: String?

    @Option(help: "Seconds between agent heartbeats; a server is offline after three missed ones.")
    var heartbeatInterval = 15

    @Option(help: "Enrollment attempts allowed per source address per minute.")
    var registrationRate = 30

    @Option(help: "An extra catalog directory of app folders (repeatable); the built-in catalog is always loaded.")
    var catalog: [String] = []

    @Flag(help: "Start even if some apps are invalid: log their problems and leave them out.")
    var skipInvalidApps = false

    @Flag(help: "Do not load the built-in catalog.")
    var noBuiltinCatalog = false

    @Option(help: "Multiply every retry delay by this factor (e.g. 0.001 in tests).")
    var backoffScale = 1.0

    @Option(help: "Cut a job's log at this many bytes; one line at its end says how much was dropped.")
    var maxLogBytes: Int64 = 64 << 20

    @Option(
        help: ArgumentHelp(
            "A reverse proxy (IP address or CIDR, repeatable) whose X-Forwarded-For names the client.",
            discussion: "Rate limits and the audit log then see the client's address instead of the proxy's."))
    var trustedProxy: [String] = []

    @Option(
        help: ArgumentHelp(
            "Send invitation links by e-mail: smtp://user:password@host:587 (STARTTLS is always used).",
            discussion:
                "Settings as query: ?from=steward@example.com (sender), ?ca_file=/path/ca.pem (a private CA). STEWARD_SMTP_URL works too and keeps the password out of the process list."
        ))
    var smtpURL: String?

    @Option(help: "Hours to keep raw host metrics samples.")
    var metricsRawHours = 48.0

    @Option(help: "Days to keep minute roll-ups of host metrics.")
    var metricsMinuteDays = 14.0

    @Option(help: "Days to keep hour roll-ups of host metrics.")
    var metricsHourDays = 400.0

    @Option(help: "Seconds between evaluations of the alert rules.")
    var alertInterval = 10

    @Option(help: "Days to keep fleet events, resolved alerts and finished notification deliveries.")
    var eventRetentionDays = 90

    @Flag(help: "Let notifications go to loopback, private and link-local addresses (a receiver on the LAN).")
    var allowPrivateNotificationTargets = false

    @Option(help: "Seconds between drift checks of each server's tracked config files; 0 turns them off.")
    var configCheckInterval = 3600

    @Option(help: "Serve GET /metrics (Prometheus text format) on HOST:PORT, e.g. 127.0.0.1:9464; off when not given.")
    var metricsListen: ListenAddress?

    @Option(
        help: ArgumentHelp(
            "A directory of agent binaries named steward-agent-linux-<arch> that /install.sh and /downloads/ serve (default: the steward-agent next to this binary).",
            valueName: "dir"))
    var agentBinaries: String?

    @Option(help: "Days to keep finished jobs (their logs go earlier, see --log-retention-days).")
    var jobRetentionDays = 400

    @Option(help: "Days to keep the logs of finished jobs.")
    var logRetentionDays = 90

    @Option(help: "Days to keep audit log entries.")
    var auditRetentionDays = 400

    @Option(help: "Log format: text or json.")
    var logFormat = LogFormat.text

    @Option(
        help: ArgumentHelp(
            "The license service this hub activates against and reports telemetry to, e.g. https://licensing.example.com.",
            discussion:
                "The key comes from STEWARD_LICENSE_KEY or --license-key-file. Without a license server the hub is unlicensed: it enforces nothing and sends nothing."
        ))
    var licenseServer: String?

    @Option(
        help: ArgumentHelp(
            "Not accepted: the process list would show it. Use STEWARD_LICENSE_KEY or --license-key-file.", visibility: .hidden))
    var licenseKey: String?

    @Option(help: "A file (mode 600) that holds the license key.")
    var licenseKeyFile: String?

    @Option(help: "Seconds between telemetry windows sent to the license service.")
    var telemetryInterval = 3600.0

    /// The license settings from the flags and `STEWARD_LICENSE_KEY`; `nil` without a license server.
    func licenseSettings(environment: [String: String]) throws -> LicenseSettings? {
        if licenseKey != nil {
            throw ConfigurationError(
                "--license-key on the command line is visible to every user of this machine; put the key in STEWARD_LICENSE_KEY or a file for --license-key-file"
            )
        }
        guard let server = licenseServer ?? environment["STEWARD_LICENSE_SERVER"] else {
            if licenseKeyFile != nil { throw ConfigurationError("--license-key-file needs --license-server") }
            return nil
        }
        let key: String
        if let licenseKeyFile {
            key = try LicenseSettings.readKeyFile(licenseKeyFile)
        } else if let fromEnvironment = environment["STEWARD_LICENSE_KEY"], !fromEnvironment.isEmpty {
            key = fromEnvironment
        } else {
            throw ConfigurationError("--license-server needs the license key in STEWARD_LICENSE_KEY or --license-key-file")
        }
        return try LicenseSettings(serverURL: server, licenseKey: key, telemetryInterval: telemetryInterval)
    }

    func configuration(
        announce: @escaping @Sendable (OwnerBootstrap.Credentials) -> Void = announceOwner
    )
        throws -> HubConfiguration
    {
        let environment = ProcessInfo.processInfo.environment
        return HubConfiguration(
            dataDirectory: dataDir, host: listen.host, port: listen.port,
            database: try (databaseURL ?? environment["STEWARD_DATABASE_URL"]).map { try DatabaseLocation(url: $0) },
            heartbeatInterval: heartbeatInterval, registrationsPerMinute: registrationRate,
            catalogDirectories: (noBuiltinCatalog ? [] : [BuiltInCatalog.locate()].compactMap { $0 }) + catalog,
            skipInvalidApps: skipInvalidApps, backoffScale: backoffScale, maxLogBytes: maxLogBytes, trustedProxies: trustedProxy,
            smtp: try (smtpURL ?? environment["STEWARD_SMTP_URL"]).map { try SMTPSettings(url: $0) },
            metricsRetention: .init(raw: metricsRawHours * 3600, minute: metricsMinuteDays * 86_400, hour: metricsHourDays * 86_400),
            alerting: .init(
                interval: alertInterval, retentionDays: eventRetentionDays,
                allowPrivateTargets: allowPrivateNotificationTargets || environment["STEWARD_ALLOW_PRIVATE_NOTIFICATION_TARGETS"] == "1"),
            configCheckInterval: configCheckInterval, metricsListen: metricsListen.map { ($0.host, $0.port) }, agentBinaries: agentBinaries,
            retention: .init(jobDays: jobRetentionDays, logDays: logRetentionDays, auditDays: auditRetentionDays),
            license: try licenseSettings(environment: environment),
            bootstrap: .init(environment: environment), announceOwner: announce)
    }
}

/// Prints the owner's credentials on standard output, the one time they exist in clear.
@Sendable func announceOwner(_ owner: OwnerBootstrap.Credentials) {
    var lines = [
        "",
        "Steward created the owner account. Keep these now; they are not shown again.",
        "  e-mail:    \(owner.email)",
    ]
    lines.append(owner.passwordWasGenerated ? "  password:  \(owner.password)" : "  password:  (from STEWARD_ADMIN_PASSWORD)")
    lines.append(owner.apiTokenWasGenerated ? "  API token: \(owner.apiToken)" : "  API token: (from STEWARD_BOOTSTRAP_TOKEN)")
    lines.append("")
    Console.write(lines.joined(separator: "\n"))
}
