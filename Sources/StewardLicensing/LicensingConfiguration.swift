import Foundation
import HTTPTypes
import Logging
import StewardHub

/// Everything `steward licensing` can be told. The executable fills it from flags and `STEWARD_*` variables.
public struct LicensingConfiguration: Sendable {
    public var dataDirectory: String
    public var host: String
    public var port: Int
    public var database: DatabaseLocation
    /// Where the service reads the time; tests move it by hand.
    public var clock: HubClock
    /// The administrator key for the very first start (`STEWARD_LICENSING_ADMIN_KEY`); random when `nil`.
    public var initialAdminKey: String?
    /// Activations allowed per source address per minute, and per license key per minute.
    public var activationsPerMinute: (perAddress: Int, perKey: Int)
    /// Telemetry windows an instance may send per minute (a hub sends one an hour, and its retries).
    public var telemetryPerMinute: Int
    /// Called once, on the first start, with the new administrator key: the only place it appears.
    public var announceAdminKey: @Sendable (String) -> Void

    public init(
        dataDirectory: String = "./steward-licensing",
        host: String = "127.0.0.1",
        port: Int = 8200,
        database: DatabaseLocation? = nil,
        clock: HubClock = .system,
        initialAdminKey: String? = nil,
        activationsPerMinute: (perAddress: Int, perKey: Int) = (10, 5),
        telemetryPerMinute: Int = 30,
        announceAdminKey: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.database = database ?? .sqlite(path: dataDirectory + "/licensing.sqlite")
        self.clock = clock
        self.initialAdminKey = initialAdminKey
        self.activationsPerMinute = activationsPerMinute
        self.telemetryPerMinute = telemetryPerMinute
        self.announceAdminKey = announceAdminKey
    }

    /// Opens the configured database (the pool still has to run as a service).
    public func openPool(logger: Logger) async throws -> any DatabasePool {
        switch database {
        case .sqlite(let path): try await SQLitePool.open(path: path, logger: logger)
        case .postgresql(let url): try PostgresPool(url: url, logger: logger)
        }
    }
}
