import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import StewardCore

/// Builds the hub: storage, keys, and the HTTP API, ready to `runService()`.
///
/// Before the server accepts its first connection the schema is migrated and, on a first start, the
/// owner is created. The executable and the tests both call this, so what is tested is what runs.
public func buildHubApplication(
    configuration: HubConfiguration,
    logger: Logger,
    onListening: @escaping @Sendable (_ host: String, _ port: Int) -> Void = { _, _ in },
    onRoutes: (_ routes: [String]) -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    try configuration.validate()
    try AtomicFile.makeDirectory(configuration.dataDirectory)
    let keys = try HubKeys.loadOrCreate(in: configuration.dataDirectory, environment: ProcessInfo.processInfo.environment)
    let catalog = try AppCatalog.load(
        directories: configuration.catalogDirectories, skipInvalid: configuration.skipInvalidApps, logger: logger)
    let hubMetrics = HubMetrics()
    let pool: any DatabasePool & Service =
        switch configuration.database {
        case .sqlite(let path): try await SQLitePool.open(path: path, logger: logger, observeWait: hubMetrics.poolWaited)
        case .postgresql(let url): try PostgresPool(url: url, logger: logger, observeWait: hubMetrics.poolWaited)
        }
    let store = Store(pool: pool)
    logger.info(
        "starting hub",
        metadata: [
            "database": "\(configuration.database.redacted)", "data_dir": "\(configuration.dataDirectory)",
            "smtp": "\(configuration.smtp?.description ?? "none")",
            "version": "\(StewardVersion.current)",
        ])

    let notifier = JobNotifier()
    let events = EventBus(observer: JobDispatcher.wakesLongPolls(notifier))
    // A lease lasts three heartbeats and a margin: an agent renews the attempts it holds with each.
    let logScanner = LogScanner(store: store, clock: configuration.clock, logger: logger)
    let jobs = JobService(
        store: store, catalog: catalog, keys: keys, events: events, clock: configuration.clock,
        settings: .init(
            backoffScale: configuration.backoffScale, leaseWindow: TimeInterval(3 * configuration.heartbeatInterval + 5),
            maxLogBytes: configuration.maxLogBytes),
        logger: logger, logScanner: logScanner)
    let dispatcher = JobDispatcher(jobs: jobs, notifier: notifier, metrics: hubMetrics)
    let metrics = MetricsService(store: store, clock: configuration.clock, retention: configuration.metricsRetention)

    let box = SecretBox(key: keys.masterKey)
    let license = HubLicense(
        settings: configuration.license, store: store, clock: configuration.clock, box: box, hubKeyFingerprint: keys.fingerprint,
        logger: logger)
    // One HTTP client for everything the hub calls out to: notifications and the license service.
    let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: NotificationTransport.httpConfiguration)

    let migrated = StartupGate()
    let router = Router(context: HubRequestContext.self)
    let proxies = TrustedProxies(configuration.trustedProxies.compactMap(TrustedProxies.Network.init))
    router.add(middleware: RequestIDMiddleware(proxies: proxies))
    router.add(middleware: RequestMetricsMiddleware(metrics: hubMetrics))
    router.add(middleware: ClientAddressMiddleware(proxies: proxies))
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: RequestFramingMiddleware())
    router.add(middleware: LogRequestsMiddleware(.debug))
    let api = router.group("api/v1")
    HealthController(databaseKind: pool.kind).addRoutes(to: api)
    OpenAPIController().addRoutes(to: api)
    DistributionController(distribution: AgentDistribution(directory: configuration.agentBinaries), publicURL: nil)
        .addRoutes(to: router)
    AgentController(
        store: store, keys: keys, events: events, jobs: jobs, heartbeatInterval: configuration.heartbeatInterval,
        registrationLimiter: RateLimiter(capacity: configuration.registrationsPerMinute, period: 60), license: license
    ).addRoutes(to: api.group("agent").add(middleware: AgentAuthMiddleware(store: store)))
    let operatorAPI = api.group().add(middleware: OperatorAuthMiddleware(store: store, clock: configuration.clock))
        .group(context: OperatorRequestContext.self).add(middleware: PermissionMiddleware<OperatorRequestContext>())
    let passwords = PasswordVerifier()
    let signIn = SignIn(store: store, clock: configuration.clock, passwords: passwords, box: SecretBox(key: keys.masterKey))
    let accounts = AccountService(
        store: store, clock: configuration.clock, signIn: signIn, mailer: configuration.smtp.map(SMTPClient.init), logger: logger,
        license: license)
    LicenseController(license: license).addRoutes(to: operatorAPI.group("license"))
    AccountController(accounts: accounts).addRoutes(public: api, operators: operatorAPI)
    RegistrationTokenController(store: store, clock: configuration.clock, hubKey: keys.fingerprint).addRoutes(
        to: operatorAPI.group("registration-tokens"))
    ServerController(store: store, events: events, clock: configuration.clock, heartbeatInterval: configuration.heartbeatInterval)
        .addRoutes(
            to: operatorAPI.group("servers"))
    let metricsController = MetricsController(metrics: metrics, events: events)
    metricsController.addOperatorRoutes(to: operatorAPI.group("servers"))
    metricsController.addAgentRoutes(
        to: api.group("agent/metrics").add(middleware: AgentAuthMiddleware(store: store)).group(context: AgentRequestContext.self))
    let transport = NotificationTransport(
        http: http,
        mailer: configuration.smtp.map(SMTPClient.init),
        targets: NotificationTargetGuard(allowPrivate: configuration.alerting.allowPrivateTargets), consoleURL: nil)
    let channels = ChannelService(store: store, clock: configuration.clock, box: box, transport: transport)
    let alertRules = AlertRuleService(store: store, clock: configuration.clock)
    NotificationChannelController(channels: channels).addRoutes(to: operatorAPI.group("notification-channels"))
    AlertController(rules: alertRules).addRoutes(rules: operatorAPI.group("alert-rules"), alerts: operatorAPI.group("alerts"))
    FleetEventController(store: store).addRoutes(to: operatorAPI.group("fleet-events"))
    let logRules = LogRuleService(store: store, clock: configuration.clock, scanner: logScanner)
    LogRuleController(rules: logRules).addRoutes(to: operatorAPI.group("log-rules"))
    let containerController = ContainerController(
        containers: ContainerService(store: store, clock: configuration.clock, logScanner: logScanner))
    containerController.addOperatorRoutes(to: operatorAPI.group("servers"))
    containerController.addAgentRoutes(
        to: api.group("agent/containers").add(middleware: AgentAuthMiddleware(store: store)).group(context: AgentRequestContext.self))
    AuditController(store: store).addRoutes(to: operatorAPI.group("audit"))
    EventsController<OperatorRequestContext>(events: events).addRoutes(to: operatorAPI.group("events"))
    AppController(catalog: catalog).addRoutes(to: operatorAPI.group("apps"))
    JobController(jobs: jobs).addRoutes(apps: operatorAPI.group("apps"), jobs: operatorAPI.group("jobs"))
    let installations = InstallationService(jobs: jobs)
    InstallationController(installations: installations).addRoutes(to: operatorAPI.group("installations"))
    let rollouts = RolloutService(jobs: jobs, installations: installations)
    RolloutController(rollouts: rollouts).addRoutes(to: operatorAPI.group("rollouts"))
    let configHistory = ConfigHistoryService(jobs: jobs)
    ConfigHistoryController(history: configHistory).addRoutes(to: operatorAPI.group("servers"))
    let schedules = ScheduleService(jobs: jobs, installations: installations, rollouts: rollouts)
    ScheduleController(schedules: schedules).addRoutes(to: operatorAPI.group("schedules"))
    // The web console: pages and assets get the security headers; a session cookie signs the operator in.
    let console = router.group()
        .add(middleware: SecurityHeadersMiddleware<HubRequestContext>())
        .add(middleware: ConsoleSessionMiddleware(store: store, clock: configuration.clock))
    let templates = try ConsoleTemplates.library()
    ConsoleController(
        store: store, events: events, jobs: jobs, clock: configuration.clock, catalog: catalog,
        heartbeatInterval: configuration.heartbeatInterval, hubKey: keys.fingerprint,
        templates: templates, signIn: signIn, accounts: accounts, metrics: metrics, alertRules: alertRules, logRules: logRules,
        channels: channels, installations: installations, rollouts: rollouts, schedules: schedules, configHistory: configHistory
    ).addRoutes(
        public: console,
        signedIn: console.group().add(middleware: RequireSignIn()).add(middleware: LoadConsoleTenants(store: store, license: license))
            .add(middleware: RequireTwoFactorSetup())
            .group(context: ConsoleRequestContext.self).add(middleware: ConsoleErrorPages(templates: templates))
            .add(middleware: PermissionMiddleware<ConsoleRequestContext>()))
    AgentJobController(dispatcher: dispatcher, keepAlives: KeepAliveBatch(store: store, events: events, clock: jobs.clock, logger: logger))
        .addRoutes(to: api.group("agent/jobs").add(middleware: AgentAuthMiddleware(store: store)).group(context: AgentRequestContext.self))

    // Every route as `METHOD /path/{id}`, for the test that holds them against the permission table.
    onRoutes(router.routes.map { "\($0.method.rawValue) \($0.path)" })

    var services: [any Service] = [
        pool,
        passwords,
        Sweeper(
            jobs: jobs, offlineAfter: TimeInterval(3 * configuration.heartbeatInterval), ready: migrated, metrics: hubMetrics,
            logger: logger),
        MetricsMaintenance(
            store: store, clock: configuration.clock, retention: configuration.metricsRetention, ready: migrated, logger: logger),
        AlertEvaluator(
            store: store, clock: configuration.clock, interval: TimeInterval(configuration.alerting.interval),
            retention: TimeInterval(configuration.alerting.retentionDays * 86_400), events: events, ready: migrated, logger: logger),
        NotificationSender(store: store, clock: configuration.clock, box: box, transport: transport, ready: migrated, logger: logger),
        HealthSchedule(installations: installations, interval: .seconds(15), ready: migrated, logger: logger),
        RolloutRunner(rollouts: rollouts, interval: .seconds(2), ready: migrated, logger: logger),
        ScheduleRunner(schedules: schedules, interval: .seconds(10), ready: migrated, logger: logger),
        RetentionSweeper(store: store, clock: configuration.clock, settings: configuration.retention, ready: migrated, logger: logger),
        ConfigDriftSchedule(
            history: configHistory, interval: TimeInterval(configuration.configCheckInterval), period: .seconds(30), ready: migrated,
            logger: logger),
    ]
    if let settings = configuration.license {
        services.append(
            TelemetryReporter(
                license: license, client: LicenseClient(http: http, baseURL: settings.serverURL), interval: settings.telemetryInterval,
                database: pool.kind, ready: migrated, logger: logger))
    }
    if let listen = configuration.metricsListen {
        let endpoint = MetricsEndpoint(metrics: hubMetrics, store: store, events: events, clock: configuration.clock)
        services.append(
            endpoint.application(host: listen.host, port: listen.port, logger: logger) { port in
                logger.info("metrics listening", metadata: ["metrics.address": "\(listen.host):\(port)"])
            })
    }
    // Hubs sharing PostgreSQL tell each other about queued jobs and everything else on the bus.
    if let postgres = pool as? PostgresPool {
        let relay = PostgresEventRelay(client: postgres.client, bus: events, logger: logger)
        await events.connect(relay)
        services.append(relay)
    }

    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        services: services,
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            logger.info("hub listening", metadata: ["http.address": "\(configuration.host):\(port)"])
            // Migrated (before the server starts) and listening: ready, for a Type=notify unit.
            SystemdNotifier.notify("READY=1\nSTATUS=listening on \(configuration.host):\(port)")
            onListening(configuration.host, port)
        },
        logger: logger
    )
    app.beforeServerStarts {
        try await store.migrate(logger: logger)
        if let postgres = pool as? PostgresPool, try await postgres.roleBypassesRowSecurity() {
            logger.warning(
                "the database role is a superuser or has BYPASSRLS: row-level security does not separate tenants; connect as an ordinary role (docs/OPERATIONS.md)"
            )
        }
        await migrated.open()
        if let owner = try await OwnerBootstrap.run(settings: configuration.bootstrap, store: store, logger: logger) {
            configuration.announceOwner(owner)
        }
    }
    return app
}
