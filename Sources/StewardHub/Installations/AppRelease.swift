import Foundation
import StewardCore

/// One version of an app as an install or upgrade fixed it when it was queued: the SHA-256 of each
/// of its scripts (their bytes are in `job_scripts`), its `backup.paths` and `config_files`. Once the job succeeds
/// it is the installation's: its health checks, backups, restores, removal and an upgrade's
/// rollback run the scripts of the version that is installed, not whatever the catalog has now.
public struct AppRelease: Codable, Sendable, Equatable {
    public var version: String
    /// Script SHA-256 by role (`install`, `health`, …).
    public var scripts: [String: String]
    public var backupPaths: [String]
    /// The files config history reads back after the install, upgrade or reconfigure.
    public var configFiles: [Manifest.ConfigFile]

    public init(version: String, scripts: [String: String], backupPaths: [String], configFiles: [Manifest.ConfigFile] = []) {
        self.version = version
        self.scripts = scripts
        self.backupPaths = backupPaths
        self.configFiles = configFiles
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(String.self, forKey: .version)
        scripts = try container.decode([String: String].self, forKey: .scripts)
        backupPaths = try container.decode([String].self, forKey: .backupPaths)
        // Releases fixed before config history have none.
        configFiles = try container.decodeIfPresent([Manifest.ConfigFile].self, forKey: .configFiles) ?? []
    }

    enum CodingKeys: String, CodingKey {
        case version, scripts
        case backupPaths = "backup_paths"
        case configFiles = "config_files"
    }

    public func script(_ role: ScriptRole) -> String? { scripts[role.rawValue] }

    /// What an install or upgrade script step reads back for config history; `nil` for none.
    public var trackedPaths: [String]? { configFiles.isEmpty ? nil : configFiles.map(\.path) }

    /// Whether the version can be backed up at all: it names paths or has a `backup` script.
    public var canBackUp: Bool { !backupPaths.isEmpty || script(.backup) != nil }
}
