import Foundation
import Hummingbird
import StewardCore

/// `/api/v1/alert-rules` and `/api/v1/alerts`: what to watch, and what it found.
struct AlertController {
    let rules: AlertRuleService

    func addRoutes(rules group: RouterGroup<OperatorRequestContext>, alerts: RouterGroup<OperatorRequestContext>) {
        group.get(use: listRules)
        group.post(use: createRule)
        group.get(":id", use: showRule)
        group.patch(":id", use: updateRule)
        group.delete(":id", use: deleteRule)
        alerts.get(use: listAlerts)
        alerts.get(":id", use: showAlert)
        alerts.post(":id/acknowledge", use: acknowledge)
    }

    @Sendable func listRules(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(Wire.ItemList(items: try await rules.store.rules(tenantID: context.identity.tenantID).map(\.wire)))
    }

    @Sendable func createRule(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.Alerting.RuleRequest.self, context: context)
        return try JSONResponse(status: .created, try await rules.create(body, by: context.requester).wire)
    }

    @Sendable func showRule(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let id = try context.parameters.require("id")
        guard let rule = try await rules.store.rule(id: id, tenantID: context.identity.tenantID) else {
            throw APIError.notFound("alert rule", id: id)
        }
        return try JSONResponse(rule.wire)
    }

    @Sendable func updateRule(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let patch = try await request.decodeJSON(as: Wire.Alerting.RulePatch.self, context: context)
        return try JSONResponse(try await rules.update(id: try context.parameters.require("id"), patch, by: context.requester).wire)
    }

    @Sendable func deleteRule(request: Request, context: OperatorRequestContext) async throws -> Response {
        try await rules.delete(id: try context.parameters.require("id"), by: context.requester)
        return Response(status: .noContent)
    }

    /// `GET /api/v1/alerts?state=firing,acknowledged&server_id=…`: newest first, at most 500.
    @Sendable func listAlerts(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let query = request.uri.queryParameters
        var states: Set<AlertState> = []
        for text in (query["state"].map(String.init) ?? "").split(separator: ",") where !text.isEmpty {
            guard let state = AlertState(rawValue: String(text)) else {
                let states = AlertState.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError.invalidQuery([.init(field: "state", message: "must be one or more of \(states)")])
            }
            states.insert(state)
        }
        let alerts = try await rules.store.alerts(
            tenantID: context.identity.tenantID, states: states, serverID: query["server_id"].map(String.init), limit: 500)
        return try JSONResponse(Wire.ItemList(items: alerts.map(\.wire)))
    }

    @Sendable func showAlert(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let id = try context.parameters.require("id")
        guard let alert = try await rules.store.alert(id: id, tenantID: context.identity.tenantID) else {
            throw APIError.notFound("alert", id: id)
        }
        return try JSONResponse(alert.wire)
    }

    @Sendable func acknowledge(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(try await rules.acknowledge(alertID: try context.parameters.require("id"), by: context.requester).wire)
    }
}
