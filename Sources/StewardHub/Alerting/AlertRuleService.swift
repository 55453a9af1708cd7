import Foundation
import HTTPTypes
import StewardCore

/// Alert rules and the alerts they raise, for the API and the console.
struct AlertRuleService: Sendable {
    let store: Store
    let clock: HubClock
    static let maxSeconds = 30 * 86_400
    static let maxChannels = 20
    static let defaultCooldown = 3600

    func create(_ request: Wire.Alerting.RuleRequest, by requester: Requester) async throws -> AlertRuleRecord {
        let tenantID = requester.identity.tenantID
        var problems: [Wire.FieldError] = []
        guard let kind = AlertKind(rawValue: request.kind) else {
            let kinds = AlertKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError.invalid([.init(field: "kind", message: "must be one of \(kinds)")])
        }
        let now = clock.now
        var rule = AlertRuleRecord(
            id: UUID().uuidString.lowercased(), tenantID: tenantID, name: request.name.trimmingCharacters(in: .whitespacesAndNewlines),
            kind: kind, metric: request.metric, comparison: nil, threshold: request.threshold, statuses: nil,
            forSeconds: request.forSeconds ?? 0, cooldownSeconds: request.cooldownSeconds ?? Self.defaultCooldown,
            selector: request.selector?.labels ?? [:], channelIDs: request.channelIDs ?? [], createdAt: now)
        problems += try await apply(operator: request.operator, statuses: request.statuses, to: &rule)
        problems += try await check(rule)
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        guard
            try await store.createRule(
                rule,
                audit: requester.audit(
                    "alert_rule.create", target: "alert_rule:\(rule.id)", detail: ["name": rule.name, "kind": kind.rawValue]))
        else { throw APIError(.conflict, code: "name_taken", detail: "a rule named \(rule.name) exists already") }
        return rule
    }

    func update(id: String, _ patch: Wire.Alerting.RulePatch, by requester: Requester) async throws -> AlertRuleRecord {
        guard var rule = try await store.rule(id: id, tenantID: requester.identity.tenantID) else {
            throw APIError.notFound("alert rule", id: id)
        }
        if let name = patch.name { rule.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let metric = patch.metric { rule.metric = metric }
        if let threshold = patch.threshold { rule.threshold = threshold }
        if let seconds = patch.forSeconds { rule.forSeconds = seconds }
        if let seconds = patch.cooldownSeconds { rule.cooldownSeconds = seconds }
        if let selector = patch.selector { rule.selector = selector.labels }
        if let channels = patch.channelIDs { rule.channelIDs = channels }
        if let enabled = patch.enabled { rule.enabled = enabled }
        var problems = try await apply(operator: patch.operator, statuses: patch.statuses, to: &rule)
        problems += try await check(rule)
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        rule.updatedAt = clock.now
        guard try await store.updateRule(rule, audit: requester.audit("alert_rule.update", target: "alert_rule:\(rule.id)")) else {
            throw APIError(.conflict, code: "name_taken", detail: "a rule named \(rule.name) exists already")
        }
        return rule
    }

    func delete(id: String, by requester: Requester) async throws {
        guard
            try await store.deleteRule(
                id: id, tenantID: requester.identity.tenantID, at: clock.now,
                audit: requester.audit("alert_rule.delete", target: "alert_rule:\(id)"))
        else { throw APIError.notFound("alert rule", id: id) }
    }

    func acknowledge(alertID: String, by requester: Requester) async throws -> AlertRecord {
        guard
            let alert = try await store.acknowledgeAlert(
                id: alertID, tenantID: requester.identity.tenantID, by: requester.identity.email, at: clock.now,
                audit: requester.audit("alert.acknowledge", target: "alert:\(alertID)"))
        else { throw APIError.notFound("alert", id: alertID) }
        guard alert.state == .acknowledged else {
            throw APIError(
                .conflict, code: "not_firing", detail: "the alert is \(alert.state.rawValue); only a firing alert can be acknowledged")
        }
        return alert
    }

    /// Reads the operator and statuses, which arrive as text, into the rule.
    private func apply(operator text: String?, statuses: [String]?, to rule: inout AlertRuleRecord) async throws -> [Wire.FieldError] {
        if rule.kind == .container {
            var problems: [Wire.FieldError] = []
            if let text { problems.append(.init(field: "operator", message: "only metric rules have one (\(text))")) }
            if let statuses {
                if statuses.isEmpty || !Set(statuses).isSubset(of: AlertKind.containerStates) {
                    let allowed = AlertKind.containerStates.joined(separator: ", ")
                    problems.append(.init(field: "statuses", message: "must be some of \(allowed)"))
                }
                rule.containerStates = Array(Set(statuses)).sorted()
            }
            return problems
        }
        var problems: [Wire.FieldError] = []
        if let text {
            rule.comparison = ComparisonOperator(rawValue: text)
            if rule.comparison == nil {
                problems.append(
                    .init(
                        field: "operator", message: "must be one of \(ComparisonOperator.allCases.map(\.rawValue).joined(separator: " "))"))
            }
        }
        if let statuses {
            let parsed = statuses.compactMap(Wire.Job.Status.init(rawValue:))
            if parsed.count != statuses.count || parsed.isEmpty || !Set(parsed).isSubset(of: JobRecord.eventfulEnds) {
                let allowed = JobRecord.eventfulEnds.map(\.rawValue).sorted().joined(separator: ", ")
                problems.append(.init(field: "statuses", message: "must be some of \(allowed)"))
            }
            rule.statuses = Array(Set(parsed)).sorted { $0.rawValue < $1.rawValue }
        }
        return problems
    }

    /// What is wrong with a rule as a whole: its fields for its kind, its limits, and its channels.
    private func check(_ rule: AlertRuleRecord) async throws -> [Wire.FieldError] {
        var problems: [Wire.FieldError] = []
        if rule.name.isEmpty || rule.name.count > 100 || rule.name.contains(where: \.isNewline) {
            problems.append(.init(field: "name", message: "must be one line of 1 to 100 characters"))
        }
        switch rule.kind {
        case .metric:
            if let metric = rule.metric {
                if Wire.Metrics.parse(key: metric) == nil {
                    problems.append(
                        .init(
                            field: "metric",
                            message: "must be a metric name such as disk.used_percent, or a series key such as disk.used_percent{mount=/}"))
                }
            } else {
                problems.append(.init(field: "metric", message: "a metric rule needs a metric"))
            }
            if rule.comparison == nil, !problems.contains(where: { $0.field == "operator" }) {
                problems.append(.init(field: "operator", message: "a metric rule needs an operator"))
            }
            if !(rule.threshold?.isFinite ?? false) {
                problems.append(.init(field: "threshold", message: "a metric rule needs a finite threshold"))
            }
        case .backup:
            if !(1...8760).contains(rule.threshold ?? 0) {
                problems.append(.init(field: "threshold", message: "a backup rule needs the hours without a successful backup, 1 to 8760"))
            }
            for (field, given) in [("metric", rule.metric != nil), ("operator", rule.comparison != nil)] where given {
                problems.append(.init(field: field, message: "only metric rules have one"))
            }
        case .offline, .job, .container:
            for (field, given) in [
                ("metric", rule.metric != nil), ("operator", rule.comparison != nil), ("threshold", rule.threshold != nil),
            ] where given {
                problems.append(.init(field: field, message: "only metric rules have one"))
            }
        }
        if rule.kind != .job && rule.statuses != nil || rule.kind != .container && rule.containerStates != nil {
            problems.append(.init(field: "statuses", message: "only job and container rules have statuses"))
        }
        if !(0...Self.maxSeconds).contains(rule.forSeconds) {
            problems.append(.init(field: "for_seconds", message: "must be 0 to \(Self.maxSeconds)"))
        }
        if !(0...Self.maxSeconds).contains(rule.cooldownSeconds) {
            problems.append(.init(field: "cooldown_seconds", message: "must be 0 to \(Self.maxSeconds)"))
        }
        problems += Labels.problems(rule.selector, field: "selector.labels")
        if rule.channelIDs.count > Self.maxChannels || Set(rule.channelIDs).count != rule.channelIDs.count {
            problems.append(.init(field: "channel_ids", message: "must be at most \(Self.maxChannels) different channels"))
        } else {
            let known = Set(try await store.channels(tenantID: rule.tenantID).map(\.id))
            for id in rule.channelIDs where !known.contains(id) {
                problems.append(.init(field: "channel_ids", message: "no notification channel with id \(id)"))
            }
        }
        return problems
    }
}
