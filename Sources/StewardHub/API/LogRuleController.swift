import Foundation
import Hummingbird
import StewardCore

/// `/api/v1/log-rules`: patterns matched against job logs and container log tails.
struct LogRuleController {
    let rules: LogRuleService

    func addRoutes(to group: RouterGroup<OperatorRequestContext>) {
        group.get(use: list)
        group.post(use: create)
        group.get(":id", use: show)
        group.patch(":id", use: update)
        group.delete(":id", use: delete)
    }

    @Sendable func list(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(Wire.ItemList(items: try await rules.store.logRules(tenantID: context.identity.tenantID).map(\.wire)))
    }

    @Sendable func create(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.LogRules.Request.self, context: context)
        return try JSONResponse(status: .created, try await rules.create(body, by: context.requester).wire)
    }

    @Sendable func show(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let id = try context.parameters.require("id")
        guard let rule = try await rules.store.logRule(id: id, tenantID: context.identity.tenantID) else {
            throw APIError.notFound("log rule", id: id)
        }
        return try JSONResponse(rule.wire)
    }

    @Sendable func update(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let patch = try await request.decodeJSON(as: Wire.LogRules.Patch.self, context: context)
        return try JSONResponse(try await rules.update(id: try context.parameters.require("id"), patch, by: context.requester).wire)
    }

    @Sendable func delete(request: Request, context: OperatorRequestContext) async throws -> Response {
        try await rules.delete(id: try context.parameters.require("id"), by: context.requester)
        return Response(status: .noContent)
    }
}
