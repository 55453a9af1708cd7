import Foundation
import HTTPTypes
import Hummingbird
import StewardCore

/// The alerting pages: alerts (acknowledge), rules (create, turn off and on, delete), channels
/// (create, send a test, delete) and stored events. The rules are ``AlertRuleService``'s and
/// ``ChannelService``'s, as for the API.
extension ConsoleController {
    @Sendable func alertsPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        try await renderAlerts(context, notice: nil)
    }

    @Sendable func acknowledgeAlert(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        do {
            let alert = try await alertRules.acknowledge(alertID: try context.parameters.require("id"), by: context.requester)
            return try await renderAlerts(context, notice: "Acknowledged: \(alert.ruleName) on \(alert.serverName).")
        } catch let error as APIError where error.status == .conflict {
            return try await renderAlerts(context, notice: error.detail)
        } catch let error as APIError where error.status == .notFound {
            return try notFound(context, what: "alert")
        }
    }

    private func renderAlerts(_ context: ConsoleRequestContext, notice: String?) async throws -> Response {
        let tenantID = context.identity.tenantID
        let open = try await store.alerts(tenantID: tenantID, states: [.firing, .acknowledged], limit: 200)
        let history = try await store.alerts(tenantID: tenantID, states: [.resolved], limit: 50)
        let canAcknowledge = context.identity.allows(.acknowledgeAlerts)
        func row(_ alert: AlertRecord) -> ConsolePages.AlertRow {
            ConsolePages.AlertRow(
                id: alert.id, csrf: context.session.csrfToken, rule: alert.ruleName, server: alert.serverName, serverID: alert.serverID,
                subject: alert.subject, state: alert.state.rawValue, summary: alert.summary,
                since: alert.startedAt.formatted(date: .abbreviated, time: .standard), iso: alert.startedAt.formatted(.iso8601),
                acknowledgedBy: alert.acknowledgedBy, notified: alert.notifiedAt != nil,
                canAcknowledge: canAcknowledge && alert.state == .firing)
        }
        var chrome = chrome(context)
        chrome.navAlerts = true
        return try render(
            ConsolePages.Alerts(
                chrome: chrome, notice: notice, open: open.map(row), hasOpen: !open.isEmpty, history: history.map(row),
                hasHistory: !history.isEmpty), "alerts")
    }

    // MARK: Rules

    struct RuleFormInput: Decodable {
        var name: String?
        var kind: String?
        var metric: String?
        var `operator`: String?
        var threshold: String?
        var for_seconds: String?
        var cooldown_seconds: String?
        var labels: String?
        var channel_ids: [String]?
        var _csrf: String?
    }

    @Sendable func rulesPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        try await renderRules(context, notice: nil, input: nil, error: nil)
    }

    @Sendable func createRule(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let input = try await Self.form(RuleFormInput.self, from: request, context: context)
        guard Self.validCSRF(input._csrf, context) else { return try renderCSRFError(context) }
        var problems: [String] = []
        func number(_ text: String?, _ label: String) -> Int? {
            guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let value = Int(text) else {
                problems.append("\(label) must be a whole number of seconds.")
                return nil
            }
            return value
        }
        let kind = input.kind ?? "metric"
        let isMetric = kind == "metric"
        var threshold: Double?
        if isMetric, let text = input.threshold?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            threshold = Double(text)
            if threshold == nil { problems.append("Threshold must be a number.") }
        }
        let labels = Self.labels(from: input.labels, problems: &problems)
        let request = Wire.Alerting.RuleRequest(
            name: input.name ?? "", kind: kind, metric: isMetric ? input.metric?.trimmingCharacters(in: .whitespaces) : nil,
            operator: isMetric ? input.operator : nil, threshold: threshold, forSeconds: number(input.for_seconds, "For"),
            cooldownSeconds: number(input.cooldown_seconds, "Cooldown"), selector: .init(labels: labels),
            channelIDs: input.channel_ids ?? [])
        guard problems.isEmpty else {
            return try await renderRules(
                context, notice: nil, input: input, error: problems.joined(separator: " "), status: .unprocessableContent)
        }
        do {
            let rule = try await alertRules.create(request, by: context.requester)
            return try await renderRules(context, notice: "The rule \(rule.name) is on.", input: nil, error: nil)
        } catch let error as APIError where [.unprocessableContent, .conflict].contains(error.status) {
            let message = error.errors.map { $0.map { "\($0.field): \($0.message)." }.joined(separator: " ") } ?? error.detail
            return try await renderRules(context, notice: nil, input: input, error: message, status: error.status)
        }
    }

    @Sendable func toggleRule(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let id = try context.parameters.require("id")
        guard let rule = try await store.rule(id: id, tenantID: context.identity.tenantID) else {
            return try notFound(context, what: "rule")
        }
        let updated = try await alertRules.update(id: id, .init(enabled: !rule.enabled), by: context.requester)
        return try await renderRules(context, notice: "\(updated.name) is \(updated.enabled ? "on" : "off").", input: nil, error: nil)
    }

    @Sendable func deleteRule(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        do {
            try await alertRules.delete(id: try context.parameters.require("id"), by: context.requester)
        } catch let error as APIError where error.status == .notFound {
            return try notFound(context, what: "rule")
        }
        return try await renderRules(context, notice: "The rule is deleted; its open alerts are resolved.", input: nil, error: nil)
    }

    private func renderRules(
        _ context: ConsoleRequestContext, notice: String?, input: RuleFormInput?, error: String?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let tenantID = context.identity.tenantID
        let rules = try await store.rules(tenantID: tenantID)
        let canManage = context.identity.allows(.manageAlerts)
        let channels = canManage ? try await store.channels(tenantID: tenantID) : []
        let names = Dictionary(channels.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let rows = rules.map { rule in
            ConsolePages.RuleRow(
                id: rule.id, csrf: context.session.csrfToken, name: rule.name, kind: rule.kind.rawValue,
                condition: Self.condition(of: rule),
                selector: Self.describe(selector: rule.selector),
                channels: rule.channelIDs.isEmpty ? "no one" : rule.channelIDs.map { names[$0] ?? $0 }.joined(separator: ", "),
                enabled: rule.enabled, canManage: canManage)
        }
        let chosenKind = input?.kind ?? "metric"
        let chosenOperator = input?.operator ?? ">"
        let chosen = Set(input?.channel_ids ?? [])
        let form = ConsolePages.RuleForm(
            name: input?.name ?? "",
            kinds: AlertKind.allCases.map { .init(value: $0.rawValue, label: $0.rawValue, selected: $0.rawValue == chosenKind) },
            metric: input?.metric ?? "",
            operators: ComparisonOperator.allCases.map {
                .init(value: $0.rawValue, label: $0.rawValue, selected: $0.rawValue == chosenOperator)
            },
            threshold: input?.threshold ?? "", forSeconds: input?.for_seconds ?? "0", cooldownSeconds: input?.cooldown_seconds ?? "3600",
            labels: input?.labels ?? "", channels: channels.map { .init(id: $0.id, name: $0.name, checked: chosen.contains($0.id)) },
            hasChannels: !channels.isEmpty, error: error)
        var chrome = chrome(context)
        chrome.navAlerts = true
        return try render(
            ConsolePages.Rules(chrome: chrome, notice: notice, rules: rows, hasRules: !rows.isEmpty, form: form), "rules", status: status)
    }

    /// `key=value` pairs separated by commas, as a label selector.
    static func labels(from text: String?, problems: inout [String]) -> [String: String] {
        var labels: [String: String] = [:]
        for pair in (text ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                problems.append("Labels must be key=value pairs separated by commas.")
                break
            }
            labels[parts[0]] = parts[1]
        }
        return labels
    }

    /// A selector in words: `all`, or `env=prod, role=web`.
    static func describe(selector: [String: String]) -> String {
        selector.isEmpty ? "all" : selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    /// A rule's condition in words: `disk.used_percent > 90 for 300 s`.
    static func condition(of rule: AlertRuleRecord) -> String {
        let lasting = rule.forSeconds > 0 ? " for \(rule.forSeconds) s" : ""
        switch rule.kind {
        case .metric:
            return "\(rule.metric ?? "?") \(rule.comparison?.rawValue ?? "?") \(AlertEvaluation.formatted(rule.threshold ?? 0))\(lasting)"
        case .offline:
            return "offline\(lasting)"
        case .job:
            return "a job ends " + (rule.statuses ?? Array(JobRecord.eventfulEnds)).map(\.rawValue).sorted().joined(separator: " or ")
        case .container:
            return "a container is " + (rule.containerStates ?? AlertKind.defaultContainerStates).joined(separator: " or ") + lasting
        case .backup:
            return "an app has had no successful backup for \(AlertEvaluation.formatted(rule.threshold ?? 24)) h"
        }
    }

    // MARK: Channels

    struct ChannelFormInput: Decodable {
        var name: String?
        var type: String?
        var url: String?
        var secret: String?
        var _csrf: String?
    }

    @Sendable func channelsPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        try await renderChannels(context, notice: nil, error: nil, input: nil, formError: nil)
    }

    @Sendable func createChannel(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let input = try await Self.form(ChannelFormInput.self, from: request, context: context)
        guard Self.validCSRF(input._csrf, context) else { return try renderCSRFError(context) }
        let secret = input.secret.flatMap { $0.isEmpty ? nil : $0 }
        do {
            let channel = try await channels.create(
                .init(name: input.name ?? "", type: input.type ?? "webhook", url: input.url ?? "", secret: secret), by: context.requester)
            return try await renderChannels(
                context, notice: "The channel \(channel.name) is added.", error: nil, input: nil, formError: nil)
        } catch let error as APIError where [.unprocessableContent, .conflict].contains(error.status) {
            let message = error.errors.map { $0.map { "\($0.field): \($0.message)." }.joined(separator: " ") } ?? error.detail
            return try await renderChannels(context, notice: nil, error: nil, input: input, formError: message, status: error.status)
        }
    }

    @Sendable func testChannel(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        do {
            let delivery = try await channels.test(id: try context.parameters.require("id"), by: context.requester)
            if delivery.state == .delivered {
                return try await renderChannels(
                    context, notice: "The test notification was delivered.", error: nil, input: nil, formError: nil)
            }
            let why = delivery.attempts.last?.error ?? "no reason given"
            return try await renderChannels(context, notice: nil, error: "The test notification failed: \(why)", input: nil, formError: nil)
        } catch let error as APIError where error.status == .notFound {
            return try notFound(context, what: "channel")
        }
    }

    @Sendable func deleteChannel(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        do {
            try await channels.delete(id: try context.parameters.require("id"), by: context.requester)
        } catch let error as APIError where error.status == .notFound {
            return try notFound(context, what: "channel")
        }
        return try await renderChannels(context, notice: "The channel is deleted.", error: nil, input: nil, formError: nil)
    }

    private func renderChannels(
        _ context: ConsoleRequestContext, notice: String?, error: String?, input: ChannelFormInput?, formError: String?,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let tenantID = context.identity.tenantID
        var rows: [ConsolePages.ChannelRow] = []
        for channel in try await store.channels(tenantID: tenantID) {
            let last = try await store.deliveries(channelID: channel.id, tenantID: tenantID, limit: 1).first
            rows.append(
                .init(
                    id: channel.id, csrf: context.session.csrfToken, name: channel.name, type: channel.type.rawValue, url: channel.urlShown,
                    lastDelivery: last.map { "\($0.event), \($0.createdAt.formatted(date: .abbreviated, time: .shortened))" } ?? "none yet",
                    lastState: last?.state.rawValue ?? ""))
        }
        let chosenType = input?.type ?? "webhook"
        let form = ConsolePages.ChannelForm(
            name: input?.name ?? "",
            types: ChannelType.allCases.map { .init(value: $0.rawValue, label: $0.rawValue, selected: $0.rawValue == chosenType) },
            url: input?.url ?? "", error: formError)
        var chrome = chrome(context)
        chrome.navAlerts = true
        return try render(
            ConsolePages.Channels(chrome: chrome, notice: notice, error: error, channels: rows, hasChannels: !rows.isEmpty, form: form),
            "channels",
            status: status)
    }

    // MARK: Events

    @Sendable func eventsPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let tenantID = context.identity.tenantID
        let names = Dictionary(
            try await store.servers(tenantID: tenantID).map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let events = try await store.fleetEvents(tenantID: tenantID, limit: 200).map { event in
            ConsolePages.EventRow(
                kind: event.kind, severity: event.severity.rawValue, server: event.serverID.map { names[$0] ?? $0 } ?? "",
                serverID: event.serverID, jobID: event.jobID, message: event.message,
                when: event.createdAt.formatted(date: .abbreviated, time: .standard), iso: event.createdAt.formatted(.iso8601))
        }
        var chrome = chrome(context)
        chrome.navAlerts = true
        return try render(ConsolePages.Events(chrome: chrome, events: events, hasEvents: !events.isEmpty), "events")
    }
}
