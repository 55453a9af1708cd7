import Foundation
import StewardCore

/// One version of an app as an install or upgrade fixed it when it was queued: the SHA-256 of each
/// of its scripts (their bytes are in `job_scripts`) and its `backup.paths`. Once the job succeeds
/// it is the installation's: its health checks, backups, restores, removal and an upgrade's
/// rollback run the scripts of the version that is installed, not whatever the catalog has now.
public struct AppRelease: Codable, Sendable, Equatable {
    public var version: String
    /// Script SHA-256 by role (`install`, `health`, …).
    public var scripts: [String: String]
    public var backupPaths: [String]

    public init(version: String, scripts: [String: String], backupPaths: [String]) {
        self.version = version
        self.scripts = scripts
        self.backupPaths = backupPaths
    }

    enum CodingKeys: String, CodingKey {
        case version, scripts
        case backupPaths = "backup_paths"
    }

    public func script(_ role: ScriptRole) -> String? { scripts[role.rawValue] }

    /// Whether the version can be backed up at all: it names paths or has a `backup` script.
    public var canBackUp: Bool { !backupPaths.isEmpty || script(.backup) != nil }
}
