import Foundation

/// Everything `steward hub` can be told. The executable fills it from flags and `STEWARD_*` variables.
public struct HubConfiguration: Sendable {
    public var dataDirectory: String
    public var host: String
    public var port: Int
    public var database: DatabaseLocation
    /// Seconds between agent heartbeats; a server is offline after three missed ones.
    public var heartbeatInterval: Int
    /// Enrollment attempts allowed per source address per minute.
    public var registrationsPerMinute: Int
    /// Catalog directories, the built-in one first; an app id may appear only once across them.
    public var catalogDirectories: [String]
    /// Start even when some apps are invalid, leaving them out (each problem is logged).
    public var skipInvalidApps: Bool
    /// Multiplies every retry delay (tests use e.g. 0.001).
    public var backoffScale: Double
    /// A job's log is cut at this many bytes (`--max-log-bytes`); one line at the end says how much was dropped.
    public var maxLogBytes: Int64
    /// Where the hub reads the time; tests move it by hand.
    public var clock: HubClock
    /// Reverse proxies (`--trusted-proxy CIDR`, repeatable) whose `X-Forwarded-For` names the client.
    public var trustedProxies: [String]
    /// How long host metrics are kept raw, as minute and as hour roll-ups.
    public var metricsRetention: MetricsRetention
    /// Alert evaluation, event retention and notification targets.
    public var alerting: AlertingSettings
    /// Seconds between drift checks of each server's tracked config files (`--config-check-interval`); 0 turns them off.
    public var configCheckInterval: Int
    /// Where `GET /metrics` (Prometheus) is served (`--metrics-listen HOST:PORT`); off when `nil`.
    public var metricsListen: (host: String, port: Int)?
    /// Where the agent binaries `/downloads/` serves are (`--agent-binaries DIR`, files named
    /// `steward-agent-linux-<arch>`); without it, the `steward-agent` next to the hub's own binary.
    public var agentBinaries: String?
    /// How long finished jobs, their logs and audit entries are kept.
    public var retention: RetentionSettings
    /// Where invitation links are e-mailed from (`--smtp-url`); without it they are only shown.
    public var smtp: SMTPSettings?
    /// The license service and key (`--license-server`); unlicensed when `nil`.
    public var license: LicenseSettings?
    /// Values for the very first start: the owner's API token, password and e-mail.
    public var bootstrap: OwnerBootstrap.Settings
    /// Called once, on the first start, with the owner's new credentials; the only place they appear.
    public var announceOwner: @Sendable (OwnerBootstrap.Credentials) -> Void

    public init(
        dataDirectory: String = "./steward-data",
        host: String = "127.0.0.1",
        port: Int = 8080,
        database: DatabaseLocation? = nil,
        heartbeatInterval: Int = 15,
        registrationsPerMinute: Int = 30,
        catalogDirectories: [String] = [],
        skipInvalidApps: Bool = false,
        backoffScale: Double = 1,
        maxLogBytes: Int64 = 64 << 20,
        clock: HubClock = .system,
        trustedProxies: [String] = [],
        smtp: SMTPSettings? = nil,
        metricsRetention: MetricsRetention = .init(),
        alerting: AlertingSettings = .init(),
        configCheckInterval: Int = 3600,
        metricsListen: (host: String, port: Int)? = nil,
        agentBinaries: String? = nil,
        retention: RetentionSettings = .init(),
        license: LicenseSettings? = nil,
        bootstrap: OwnerBootstrap.Settings = .init(),
        announceOwner: @escaping @Sendable (OwnerBootstrap.Credentials) -> Void = { _ in }
    ) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.database = database ?? .sqlite(path: dataDirectory + "/steward.sqlite")
        self.heartbeatInterval = heartbeatInterval
        self.registrationsPerMinute = registrationsPerMinute
        self.catalogDirectories = catalogDirectories
        self.skipInvalidApps = skipInvalidApps
        self.backoffScale = backoffScale
        self.maxLogBytes = maxLogBytes
        self.clock = clock
        self.trustedProxies = trustedProxies
        self.smtp = smtp
        self.metricsRetention = metricsRetention
        self.alerting = alerting
        self.configCheckInterval = configCheckInterval
        self.metricsListen = metricsListen
        self.agentBinaries = agentBinaries
        self.retention = retention
        self.license = license
        self.bootstrap = bootstrap
        self.announceOwner = announceOwner
    }

    /// Problems that stop the hub from starting, each phrased for the operator.
    public func validate() throws(ConfigurationError) {
        guard (1...3600).contains(heartbeatInterval) else {
            throw ConfigurationError("--heartbeat-interval must be between 1 and 3600 seconds")
        }
        guard (0...65535).contains(port) else { throw ConfigurationError("the listen port must be between 0 and 65535") }
        guard registrationsPerMinute > 0 else { throw ConfigurationError("the registration rate must be positive") }
        guard backoffScale > 0, backoffScale <= 1000 else { throw ConfigurationError("--backoff-scale must be above 0 and at most 1000") }
        guard (4096...(1 << 40)).contains(maxLogBytes) else { throw ConfigurationError("--max-log-bytes must be between 4096 and 2^40") }
        for network in trustedProxies where TrustedProxies.Network(network) == nil {
            throw ConfigurationError("--trusted-proxy \(network) is not an IP address or a CIDR network such as 10.0.0.0/8")
        }
        guard configCheckInterval == 0 || (60...604_800).contains(configCheckInterval) else {
            throw ConfigurationError("--config-check-interval must be 0 (off) or between 60 and 604800 seconds")
        }
        try metricsRetention.validate()
        try retention.validate()
        try alerting.validate()
        try bootstrap.validate()
    }
}
