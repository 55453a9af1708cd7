/// An app of the catalog: what it is, the inputs its install form asks for, and its scripts.
///
/// The YAML format is documented in `docs/MANIFEST.md`. A `Manifest` is only ever built by
/// ``ManifestParser``; ``ManifestValidator`` then checks what the types cannot express.
public struct Manifest: Sendable, Equatable {
    public var id: String
    public var name: String
    public var version: String
    public var description: String
    public var category: String
    public var osRequirements: OSRequirements?
    /// Ids of apps that must be installed first.
    public var requires: [String]
    public var inputs: [InputSpec]
    public var scripts: Scripts
    public var timeoutSeconds: Int
    /// Whether running the install script again on an installed server is safe.
    public var idempotent: Bool
    public var retry: RetryPolicy
    /// Names of the values the install script writes to `$STEWARD_OUTPUT`.
    public var outputs: [String]
    /// The outputs whose values are secret (an API key, say): sealed at rest, never shown in lists.
    public var secretOutputs: [String] = []
    /// `backup.paths`: the files and directories a backup, and the snapshot before an upgrade,
    /// copy and a restore puts back exactly (what was not there is removed again).
    public var backupPaths: [String] = []

    /// `config_files`: files the app's scripts write that config history keeps a version of after
    /// each install, upgrade and reconfigure, and that the drift check watches.
    public var configFiles: [ConfigFile] = []

    /// Whether the app can be backed up at all: it names paths or has a `backup` script.
    public var canBackUp: Bool { !backupPaths.isEmpty || scripts.backup != nil }

    /// A file under `config_files`; a `secret` one (a key, a password file) is sealed and only
    /// ever shown as its checksum and size.
    public struct ConfigFile: Codable, Sendable, Equatable {
        public var path: String
        public var secret: Bool

        public init(path: String, secret: Bool = false) {
            self.path = path
            self.secret = secret
        }
    }

    public struct OSRequirements: Sendable, Equatable {
        /// `/etc/os-release` `ID`s that are supported, e.g. `debian`, `ubuntu`.
        public var family: [String]
        /// The lowest `VERSION_ID` supported, compared numerically part by part ("11" < "22.04").
        public var minVersion: String?

        public init(family: [String], minVersion: String?) {
            self.family = family
            self.minVersion = minVersion
        }
    }

    /// Script paths relative to the app's folder.
    public struct Scripts: Sendable, Equatable {
        public var install: String
        public var uninstall: String?
        public var upgrade: String?
        public var health: String?
        public var backup: String?
        public var restore: String?

        /// Every script with its role, in a fixed order.
        public var all: [(role: ScriptRole, path: String)] {
            ScriptRole.allCases.compactMap { role in path(for: role).map { (role, $0) } }
        }

        /// The script for `role`, if the app has one.
        public func path(for role: ScriptRole) -> String? {
            switch role {
            case .install: install
            case .uninstall: uninstall
            case .upgrade: upgrade
            case .health: health
            case .backup: backup
            case .restore: restore
            }
        }
    }

    public struct RetryPolicy: Sendable, Equatable {
        public var maxAttempts: Int
        public var backoffSeconds: [Int]

        public init(maxAttempts: Int, backoffSeconds: [Int]) {
            self.maxAttempts = maxAttempts
            self.backoffSeconds = backoffSeconds
        }

        public static let standard = RetryPolicy(maxAttempts: 3, backoffSeconds: [60, 300, 900])
    }

    public func input(named name: String) -> InputSpec? {
        inputs.first { $0.name == name }
    }
}
