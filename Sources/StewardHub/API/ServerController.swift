import Foundation
import Hummingbird
import StewardCore

/// `/api/v1/servers`: the fleet inventory.
struct ServerController {
    let store: Store
    let events: EventBus
    let clock: HubClock
    let heartbeatInterval: Int

    func addRoutes(to group: RouterGroup<OperatorRequestContext>) {
        group.get(use: list)
        group.get(":id", use: show)
        group.patch(":id", use: update)
        group.delete(":id", use: decommission)
    }

    @Sendable func list(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let now = clock.now
        let servers = try await store.servers(tenantID: context.identity.tenantID)
        return try JSONResponse(Wire.ItemList(items: servers.map { $0.info(at: now, heartbeatInterval: heartbeatInterval) }))
    }

    @Sendable func show(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let id = try context.parameters.require("id")
        guard let server = try await store.server(id: id, tenantID: context.identity.tenantID) else {
            throw APIError.notFound("server", id: id)
        }
        return try JSONResponse(server.info(at: clock.now, heartbeatInterval: heartbeatInterval))
    }

    @Sendable func update(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let id = try context.parameters.require("id")
        let patch = try await request.decodeJSON(as: Wire.Server.Patch.self, context: context)
        var problems: [Wire.FieldError] = []
        let name = patch.name?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let name, name.isEmpty || name.count > 100 || name.contains(where: \.isNewline) {
            problems.append(.init(field: "name", message: "must be one line of 1 to 100 characters"))
        }
        if patch.name == nil && patch.labels == nil {
            problems.append(.init(field: "name", message: "give a name, labels, or both"))
        }
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        guard let current = try await store.server(id: id, tenantID: context.identity.tenantID) else {
            throw APIError.notFound("server", id: id)
        }
        var labels: [String: String]?
        if let changes = patch.labels {
            var merged = current.labels
            for (key, value) in changes { merged[key] = value }
            problems += Labels.problems(merged)
            labels = merged
        }
        guard problems.isEmpty else { throw APIError.invalid(problems) }

        var detail: [String: String] = [:]
        if let name { detail["name"] = name }
        if let changes = patch.labels {
            detail["labels"] = changes.keys.sorted().map { key in changes[key]!.map { "\(key)=\($0)" } ?? "\(key)-" }
                .joined(separator: ",")
        }
        let action = patch.labels == nil ? "server.rename" : (name == nil ? "server.label" : "server.update")
        guard
            let updated = try await store.updateServer(
                id: id, tenantID: context.identity.tenantID, name: name, labels: labels, at: clock.now,
                audit: context.audit(action, target: "server:\(id)", detail: detail))
        else { throw APIError.notFound("server", id: id) }
        return try JSONResponse(updated.info(at: clock.now, heartbeatInterval: heartbeatInterval))
    }

    /// `DELETE /api/v1/servers/{id}` with `{"confirm": "<the server's name>"}`.
    @Sendable func decommission(request: Request, context: OperatorRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let body = try await request.decodeJSON(as: Wire.Confirmation.self, context: context, ifEmpty: .init(confirm: nil))
        guard let server = try await store.server(id: id, tenantID: context.identity.tenantID) else {
            throw APIError.notFound("server", id: id)
        }
        try AccountService.confirm(body.confirm, equals: server.name)
        guard
            let cancelled = try await store.decommissionServer(
                id: id, tenantID: context.identity.tenantID, at: clock.now,
                audit: context.audit("server.decommission", target: "server:\(id)"))
        else { throw APIError.notFound("server", id: id) }
        await events.publish(cancelled.map(\.statusEvent))
        await events.publish(Wire.Event(kind: .serverRemoved, at: clock.now, tenantID: context.identity.tenantID, serverID: id))
        return Response(status: .noContent)
    }
}
