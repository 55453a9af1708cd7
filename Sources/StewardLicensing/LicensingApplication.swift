import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import StewardCore
import StewardHub

/// Builds the license service: its own database, the admin API, activation, telemetry intake and
/// the admin console, ready to `runService()`.
///
/// Before the server accepts its first connection the schema is migrated and, on a first start, the
/// administrator key is made and announced. The executable and the tests both call this.
public func buildLicensingApplication(
    configuration: LicensingConfiguration,
    logger: Logger,
    onListening: @escaping @Sendable (_ host: String, _ port: Int) -> Void = { _, _ in }
) async throws -> some ApplicationProtocol {
    try AtomicFile.makeDirectory(configuration.dataDirectory)
    let pool = try await configuration.openPool(logger: logger)
    let store = LicensingStore(pool: pool)
    let clock = configuration.clock
    let access = AdminAccess(store: store, clock: clock)
    let licenses = LicenseService(store: store, clock: clock)
    let intake = TelemetryIntake(store: store, clock: clock)
    logger.info(
        "starting license service",
        metadata: ["database": "\(configuration.database.redacted)", "data_dir": "\(configuration.dataDirectory)"])

    let router = Router(context: LicensingRequestContext.self)
    router.add(middleware: ProblemMiddleware(serviceName: "the license service", home: ("/", "Back to the overview")))
    router.add(middleware: LogRequestsMiddleware(.debug))
    let api = router.group("api/v1")
    api.get("health") { _, _ in try JSONResponse(["status": "ok", "version": StewardVersion.current]) }
    AdminController(licenses: licenses).addRoutes(
        to: api.group("admin").add(middleware: AdminAuthMiddleware(access: access, failures: RateLimiter(capacity: 20, period: 60))))
    InstanceController(
        licenses: licenses, intake: intake,
        activationsPerAddress: RateLimiter(capacity: configuration.activationsPerMinute.perAddress, period: 60),
        activationsPerKey: RateLimiter(capacity: configuration.activationsPerMinute.perKey, period: 60),
        telemetryPerInstance: RateLimiter(capacity: configuration.telemetryPerMinute, period: 60)
    ).addRoutes(to: api.group("instances"))
    AdminConsoleController(access: access, licenses: licenses, store: store, signInLimiter: RateLimiter(capacity: 10, period: 60))
        .addRoutes(to: router.group().add(middleware: SecurityHeadersMiddleware<LicensingRequestContext>()))

    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        services: [pool],
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            logger.info("license service listening", metadata: ["http.address": "\(configuration.host):\(port)"])
            onListening(configuration.host, port)
        },
        logger: logger
    )
    app.beforeServerStarts {
        try await store.migrate(logger: logger)
        if let key = try await access.bootstrap(configured: configuration.initialAdminKey) {
            configuration.announceAdminKey(key)
        }
    }
    return app
}
