import Foundation
import HTTPTypes
import Hummingbird
import StewardCore

/// The log rules page: list, create, turn off and on, delete; the rules are ``LogRuleService``'s,
/// as for the API.
extension ConsoleController {
    struct LogRuleFormInput: Decodable {
        var name: String?
        var pattern: String?
        var sources: [String]?
        var severity: String?
        var labels: String?
        var _csrf: String?
    }

    @Sendable func logRulesPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        try await renderLogRules(context, notice: nil, input: nil, error: nil)
    }

    @Sendable func createLogRule(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let input = try await Self.form(LogRuleFormInput.self, from: request, context: context)
        guard Self.validCSRF(input._csrf, context) else { return try renderCSRFError(context) }
        var problems: [String] = []
        let labels = Self.labels(from: input.labels, problems: &problems)
        // Unticking both boxes means "neither", which the service refuses with its own words.
        let request = Wire.LogRules.Request(
            name: input.name ?? "", pattern: input.pattern ?? "", sources: input.sources ?? [], severity: input.severity,
            selector: .init(labels: labels))
        guard problems.isEmpty else {
            return try await renderLogRules(
                context, notice: nil, input: input, error: problems.joined(separator: " "), status: .unprocessableContent)
        }
        do {
            let rule = try await logRules.create(request, by: context.requester)
            return try await renderLogRules(context, notice: "The log rule \(rule.name) is on.", input: nil, error: nil)
        } catch let error as APIError where [.unprocessableContent, .conflict].contains(error.status) {
            let message = error.errors.map { $0.map { "\($0.field): \($0.message)." }.joined(separator: " ") } ?? error.detail
            return try await renderLogRules(context, notice: nil, input: input, error: message, status: error.status)
        }
    }

    @Sendable func toggleLogRule(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let id = try context.parameters.require("id")
        guard let rule = try await store.logRule(id: id, tenantID: context.identity.tenantID) else {
            return try notFound(context, what: "log rule")
        }
        let updated = try await logRules.update(id: id, .init(enabled: !rule.enabled), by: context.requester)
        return try await renderLogRules(context, notice: "\(updated.name) is \(updated.enabled ? "on" : "off").", input: nil, error: nil)
    }

    @Sendable func deleteLogRule(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        do {
            try await logRules.delete(id: try context.parameters.require("id"), by: context.requester)
        } catch let error as APIError where error.status == .notFound {
            return try notFound(context, what: "log rule")
        }
        return try await renderLogRules(context, notice: "The log rule is deleted.", input: nil, error: nil)
    }

    private func renderLogRules(
        _ context: ConsoleRequestContext, notice: String?, input: LogRuleFormInput?, error: String?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let canManage = context.identity.allows(.manageAlerts)
        let rows = try await store.logRules(tenantID: context.identity.tenantID).map { rule in
            ConsolePages.LogRuleRow(
                id: rule.id, csrf: context.session.csrfToken, name: rule.name, pattern: rule.pattern,
                sources: rule.sources.map(\.rawValue).sorted().joined(separator: ", "), severity: rule.severity.rawValue,
                selector: Self.describe(selector: rule.selector), enabled: rule.enabled, disabledReason: rule.disabledReason,
                canManage: canManage)
        }
        let severity = input?.severity ?? FleetEventRecord.Severity.warning.rawValue
        let sources = input.map { Set($0.sources ?? []) } ?? ["job", "container"]
        let form = ConsolePages.LogRuleForm(
            name: input?.name ?? "", pattern: input?.pattern ?? "", readsJobs: sources.contains("job"),
            readsContainers: sources.contains("container"),
            severities: ["info", "warning", "critical"].map { .init(value: $0, label: $0, selected: $0 == severity) },
            labels: input?.labels ?? "", error: error)
        var chrome = chrome(context)
        chrome.navAlerts = true
        return try render(
            ConsolePages.LogRules(chrome: chrome, notice: notice, rules: rows, hasRules: !rows.isEmpty, form: form), "log-rules",
            status: status)
    }
}
