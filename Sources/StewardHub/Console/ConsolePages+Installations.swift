import Foundation
import StewardCore

/// What the installation pages show.
extension ConsolePages {
    /// An installed app in a server's list.
    struct InstallationRow {
        var id: String
        var app: String
        var version: String
        var status: String
        var upgrade: String?
        var health: String?
        var healthy: Bool
        var removed: Bool

        init(_ item: Wire.Installations.Item) {
            id = item.id
            app = item.appID
            version = item.version ?? "–"
            status = item.status
            upgrade = item.upgradeAvailable ? item.availableVersion : nil
            health = item.lastHealth.map { "\($0.healthy ? "healthy" : "failing") \(ConsolePages.ago($0.checkedAt))" }
            healthy = item.lastHealth?.healthy ?? true
            removed = item.status == "removed"
        }
    }

    struct Installation {
        var title: String
        var chrome: Chrome
        var installation: InstallationRow
        var serverID: String
        var serverName: String
        var csrf: String
        var notice: String?
        var error: String?
        var facts: [Fact]
        var inputs: [Fact]
        var outputs: [Fact]
        var hasOutputs: Bool
        /// What an upgrade would do, when the catalog has another version.
        var upgradePlan: [String]
        var canUpgrade: Bool
        var canBackUp: Bool
        var canCheckHealth: Bool
        var busy: Bool
        var activeJobID: String?
        var health: [HealthRow]
        var hasHealth: Bool
        var backups: [BackupRow]
        var hasBackups: Bool
        /// Shown once, right after an admin asked to see them.
        var credentials: [Fact]
        var showsCredentials: Bool
        var canReveal: Bool
        var confirmError: String?
    }

    struct HealthRow {
        var healthy: Bool
        var result: String
        var jobID: String
        var detail: String?
        var when: String
    }

    struct BackupRow {
        var id: String
        var shortID: String
        var kind: String
        var status: String
        var version: String
        var size: String
        var when: String
        var restorable: Bool
        var error: String?
    }
}
