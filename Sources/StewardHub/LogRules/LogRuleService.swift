import Foundation
import HTTPTypes
import StewardCore

/// Log rules for the API and the console: checked (the pattern compiles and gets through lines
/// that make careless patterns backtrack, within its budget), stored, audited.
struct LogRuleService: Sendable {
    let store: Store
    let clock: HubClock
    let scanner: LogScanner
    static let maxRules = 100

    func create(_ request: Wire.LogRules.Request, by requester: Requester) async throws -> LogRuleRecord {
        let tenantID = requester.identity.tenantID
        var problems: [Wire.FieldError] = []
        let sources = Self.sources(request.sources, problems: &problems)
        let severity = Self.severity(request.severity, problems: &problems)
        let rule = LogRuleRecord(
            id: UUID().uuidString.lowercased(), tenantID: tenantID, name: request.name.trimmingCharacters(in: .whitespacesAndNewlines),
            pattern: request.pattern, sources: sources, severity: severity, selector: request.selector?.labels ?? [:], createdAt: clock.now)
        problems += check(rule)
        if try await store.logRules(tenantID: tenantID).count >= Self.maxRules {
            problems.append(.init(field: "name", message: "a tenant has at most \(Self.maxRules) log rules"))
        }
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        guard
            try await store.createLogRule(
                rule, audit: requester.audit("log_rule.create", target: "log_rule:\(rule.id)", detail: ["name": rule.name]))
        else { throw APIError(.conflict, code: "name_taken", detail: "a log rule named \(rule.name) exists already") }
        await scanner.invalidate(tenantID: tenantID)
        return rule
    }

    func update(id: String, _ patch: Wire.LogRules.Patch, by requester: Requester) async throws -> LogRuleRecord {
        guard var rule = try await store.logRule(id: id, tenantID: requester.identity.tenantID) else {
            throw APIError.notFound("log rule", id: id)
        }
        var problems: [Wire.FieldError] = []
        if let name = patch.name { rule.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let pattern = patch.pattern { rule.pattern = pattern }
        if patch.sources != nil { rule.sources = Self.sources(patch.sources, problems: &problems) }
        if patch.severity != nil { rule.severity = Self.severity(patch.severity, problems: &problems) }
        if let selector = patch.selector { rule.selector = selector.labels }
        if let enabled = patch.enabled {
            rule.enabled = enabled
            if enabled { rule.disabledReason = nil }
        }
        problems += check(rule)
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        rule.updatedAt = clock.now
        guard try await store.updateLogRule(rule, audit: requester.audit("log_rule.update", target: "log_rule:\(rule.id)")) else {
            throw APIError(.conflict, code: "name_taken", detail: "a log rule named \(rule.name) exists already")
        }
        await scanner.invalidate(tenantID: rule.tenantID)
        return rule
    }

    func delete(id: String, by requester: Requester) async throws {
        let tenantID = requester.identity.tenantID
        guard
            try await store.deleteLogRule(
                id: id, tenantID: tenantID, at: clock.now, audit: requester.audit("log_rule.delete", target: "log_rule:\(id)"))
        else { throw APIError.notFound("log rule", id: id) }
        await scanner.invalidate(tenantID: tenantID)
    }

    private func check(_ rule: LogRuleRecord) -> [Wire.FieldError] {
        var problems: [Wire.FieldError] = []
        if rule.name.isEmpty || rule.name.count > 100 {
            problems.append(.init(field: "name", message: "must be 1 to 100 characters"))
        }
        do throws(LogPattern.Problem) {
            try LogPattern(rule.pattern).checkCost()
        } catch {
            problems.append(.init(field: "pattern", message: error.message))
        }
        problems += Labels.problems(rule.selector, field: "selector.labels")
        return problems
    }

    /// Both sources when none are given.
    private static func sources(_ names: [String]?, problems: inout [Wire.FieldError]) -> Set<LogRuleRecord.Source> {
        guard let names else { return Set(LogRuleRecord.Source.allCases) }
        let sources = Set(names.compactMap(LogRuleRecord.Source.init(rawValue:)))
        if names.isEmpty || sources.count != Set(names).count {
            problems.append(.init(field: "sources", message: "must be one or both of job, container"))
        }
        return sources
    }

    private static func severity(_ name: String?, problems: inout [Wire.FieldError]) -> FleetEventRecord.Severity {
        guard let name else { return .warning }
        guard let severity = FleetEventRecord.Severity(rawValue: name) else {
            problems.append(.init(field: "severity", message: "must be info, warning or critical"))
            return .warning
        }
        return severity
    }
}
