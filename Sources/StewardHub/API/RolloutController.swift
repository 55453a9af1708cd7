import Foundation
import Hummingbird
import StewardCore

/// `/api/v1/rollouts`: one job per server a selector picks, in batches. The rules are ``RolloutService``'s.
struct RolloutController {
    let rollouts: RolloutService

    func addRoutes(to group: RouterGroup<OperatorRequestContext>) {
        group.get(use: list)
        group.post(use: create)
        group.get(":id", use: show)
        group.post(":id/cancel", use: cancel)
    }

    @Sendable func create(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.Rollouts.Request.self, context: context)
        let rollout = try await rollouts.create(body, by: context.requester)
        return try JSONResponse(status: .created, try await rollouts.info(rollout.id, tenantID: context.identity.tenantID))
    }

    @Sendable func list(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let tenantID = context.identity.tenantID
        var items: [Wire.Rollouts.Info] = []
        for rollout in try await rollouts.store.rollouts(tenantID: tenantID) {
            items.append(rollout.wire(targets: try await rollouts.store.rolloutTargets(rolloutID: rollout.id, tenantID: tenantID)))
        }
        return try JSONResponse(Wire.ItemList(items: items))
    }

    @Sendable func show(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(try await rollouts.info(try context.parameters.require("id"), tenantID: context.identity.tenantID))
    }

    @Sendable func cancel(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(try await rollouts.cancel(try context.parameters.require("id"), by: context.requester))
    }
}
