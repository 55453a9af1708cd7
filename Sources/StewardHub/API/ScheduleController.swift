import Foundation
import Hummingbird
import StewardCore

/// `/api/v1/schedules`: cron expressions that run installation jobs, step jobs and rollouts.
struct ScheduleController {
    let schedules: ScheduleService

    func addRoutes(to group: RouterGroup<OperatorRequestContext>) {
        group.get(use: list)
        group.post(use: create)
        group.get(":id", use: show)
        group.patch(":id", use: update)
        group.delete(":id", use: delete)
    }

    @Sendable func list(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(Wire.ItemList(items: try await schedules.store.schedules(tenantID: context.identity.tenantID).map(\.wire)))
    }

    @Sendable func create(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.Schedules.Request.self, context: context)
        return try JSONResponse(status: .created, try await schedules.create(body, by: context.requester).wire)
    }

    @Sendable func show(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let id = try context.parameters.require("id")
        guard let schedule = try await schedules.store.schedule(id: id, tenantID: context.identity.tenantID) else {
            throw APIError.notFound("schedule", id: id)
        }
        return try JSONResponse(schedule.wire)
    }

    @Sendable func update(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let patch = try await request.decodeJSON(as: Wire.Schedules.Patch.self, context: context)
        return try JSONResponse(try await schedules.update(try context.parameters.require("id"), patch, by: context.requester).wire)
    }

    @Sendable func delete(request: Request, context: OperatorRequestContext) async throws -> Response {
        try await schedules.delete(try context.parameters.require("id"), by: context.requester)
        return Response(status: .noContent)
    }
}
