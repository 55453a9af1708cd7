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

/// What the rollout and schedule pages show.
extension ConsolePages {
    struct RolloutRow {
        var id: String
        var shortID: String
        var what: String
        var selector: String
        var status: String
        var servers: Int
        var failures: Int
        var created: String

        init(_ info: Wire.Rollouts.Info) {
            id = info.id
            shortID = String(info.id.prefix(8))
            what = info.action + (info.appID.map { " \($0)" } ?? "")
            selector = info.selector.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            status = info.status
            servers = info.servers.count
            failures = info.failures
            created = ConsolePages.ago(info.createdAt)
        }
    }

    struct Rollouts {
        let title = "Rollouts"
        var chrome: Chrome
        var rollouts: [RolloutRow]
        var hasRollouts: Bool
    }

    struct RolloutTargetRow {
        var serverID: String
        var server: String
        var batch: String
        var status: String
        var jobID: String?
        var error: String?
    }

    struct Rollout {
        var title: String
        var chrome: Chrome
        var rollout: RolloutRow
        var limits: String
        var targets: [RolloutTargetRow]
        var running: Bool
        var csrf: String
        var notice: String?
    }

    struct ScheduleRow {
        var id: String
        var name: String
        var cron: String
        var timeZone: String
        var enabled: Bool
        var next: String
        var last: String?
        var lastFailed: Bool
        var lastJobID: String?
        var lastRolloutID: String?
        var csrf: String
    }

    struct Schedules {
        let title = "Schedules"
        var chrome: Chrome
        var schedules: [ScheduleRow]
        var hasSchedules: Bool
        var notice: String?
    }
}
