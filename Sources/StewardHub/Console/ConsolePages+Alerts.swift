/// The values behind the alerting pages: alerts, rules, channels and events.
extension ConsolePages {
    struct AlertRow {
        var id: String
        var csrf: String
        var rule: String
        var server: String
        var serverID: String
        var subject: String
        var state: String
        var summary: String
        var since: String
        var iso: String
        var acknowledgedBy: String?
        var notified: Bool
        var canAcknowledge: Bool
    }

    struct Alerts {
        let title = "Alerts"
        var chrome: Chrome
        var notice: String?
        var open: [AlertRow]
        var hasOpen: Bool
        var history: [AlertRow]
        var hasHistory: Bool
    }

    struct RuleRow {
        var id: String
        var csrf: String
        var name: String
        var kind: String
        var condition: String
        var selector: String
        var channels: String
        var enabled: Bool
        var canManage: Bool
    }

    struct ChannelChoice {
        var id: String
        var name: String
        var checked: Bool
    }

    /// What the new-rule form holds: empty, or what was posted when it was refused.
    struct RuleForm {
        var name = ""
        var kinds: [Option]
        var metric = ""
        var operators: [Option]
        var threshold = ""
        var forSeconds = "0"
        var cooldownSeconds = "3600"
        var labels = ""
        var channels: [ChannelChoice]
        var hasChannels: Bool
        var error: String?
    }

    struct Rules {
        let title = "Alert rules"
        var chrome: Chrome
        var notice: String?
        var rules: [RuleRow]
        var hasRules: Bool
        var form: RuleForm
    }

    struct LogRuleRow {
        var id: String
        var csrf: String
        var name: String
        var pattern: String
        var sources: String
        var severity: String
        var selector: String
        var enabled: Bool
        var disabledReason: String?
        var canManage: Bool
    }

    struct LogRuleForm {
        var name = ""
        var pattern = ""
        var readsJobs = true
        var readsContainers = true
        var severities: [Option]
        var labels = ""
        var error: String?
    }

    struct LogRules {
        let title = "Log rules"
        var chrome: Chrome
        var notice: String?
        var rules: [LogRuleRow]
        var hasRules: Bool
        var form: LogRuleForm
    }

    struct ChannelRow {
        var id: String
        var csrf: String
        var name: String
        var type: String
        var url: String
        var lastDelivery: String
        var lastState: String
    }

    struct ChannelForm {
        var name = ""
        var types: [Option]
        var url = ""
        var error: String?
    }

    struct Channels {
        let title = "Notification channels"
        var chrome: Chrome
        var notice: String?
        var error: String?
        var channels: [ChannelRow]
        var hasChannels: Bool
        var form: ChannelForm
    }

    struct EventRow {
        var kind: String
        var severity: String
        var server: String
        var serverID: String?
        var jobID: String?
        var message: String
        var when: String
        var iso: String
    }

    struct Events {
        let title = "Events"
        var chrome: Chrome
        var events: [EventRow]
        var hasEvents: Bool
    }
}
