import StewardCore

/// Everything `steward agent` can be told.
public struct AgentConfiguration: Sendable {
    /// The hubs' base URLs, e.g. `https://hub.example.com` (`--hub`, repeatable): hubs that share one
    /// database and one set of keys, tried in order. Needed to enroll; afterwards the stored ones
    /// are used, with any given here added.
    public var hubURLs: [String]
    /// A registration token; needed only until the agent has enrolled.
    public var registrationToken: String?
    /// The fingerprint (`SHA256:…`) of the hub key this agent must find at enrollment (`--hub-key`).
    public var hubKey: String?
    /// Whether plain `http://` hubs off loopback may be used (`--insecure-http`).
    public var allowInsecureHTTP = false
    public var stateDirectory: String
    public var facts = FactsCollector()
    /// Longest wait between attempts while the hub is unreachable.
    public var maxBackoffSeconds: Double = 60
    /// What signed jobs may do here; by default only catalog scripts run.
    public var policy = AgentPolicy()
    /// How many jobs may run at once (1 to 16). Scripts, writes and services always run alone.
    public var concurrency = 1
    /// Seconds between host metrics samples (`--metrics-interval`); 0 turns them off.
    public var metricsInterval = 15
    /// Docker's API socket; containers are watched while it exists (`--docker-socket`).
    public var dockerSocket = "/var/run/docker.sock"
    /// Container environment names holding one of these words have their values masked before a
    /// report leaves the server (the defaults plus `--secret-env-word`).
    public var secretEnvWords = SecretMasker.secretLookingWords
    /// Seconds between container reports (`--containers-interval`); 0 stops watching Docker.
    public var containersInterval = 15
    /// Where backups and pre-upgrade snapshots are kept (`--backup-dir`); `backups/` in the state
    /// directory when `nil`.
    public var backupDirectory: String?

    public init(hubURLs: [String], registrationToken: String?, stateDirectory: String) {
        self.hubURLs = hubURLs
        self.registrationToken = registrationToken
        self.stateDirectory = stateDirectory
    }
}
