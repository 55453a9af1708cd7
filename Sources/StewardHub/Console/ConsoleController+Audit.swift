import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StewardCore

/// The audit log page.
extension ConsoleController {
    @Sendable func auditLog(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let actor = query["actor"].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        let action = query["action"].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        let before = query["before"].flatMap { Int64($0) }
        let page = try await store.auditPage(
            tenantID: context.identity.tenantID, before: before, limit: 50, actor: actor.isEmpty ? nil : actor,
            action: action.isEmpty ? nil : action)
        let rows = page.items.map { entry in
            ConsolePages.AuditRow(
                when: entry.createdAt.formatted(date: .abbreviated, time: .standard), iso: entry.createdAt.formatted(.iso8601),
                actor: entry.actor, action: entry.action, target: entry.target,
                detail: entry.detail.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
                source: entry.sourceAddress)
        }
        var older: String?
        if let next = page.nextBefore {
            var items = [URLQueryItem(name: "before", value: String(next))]
            if !actor.isEmpty { items.append(URLQueryItem(name: "actor", value: actor)) }
            if !action.isEmpty { items.append(URLQueryItem(name: "action", value: action)) }
            var components = URLComponents()
            components.path = "/audit"
            components.queryItems = items
            older = components.string
        }
        var chrome = chrome(context)
        chrome.navAudit = true
        return try render(
            ConsolePages.Audit(
                chrome: chrome, actor: actor, action: action, filtered: !actor.isEmpty || !action.isEmpty, entries: rows,
                hasEntries: !rows.isEmpty, older: older), "audit")
    }
}
