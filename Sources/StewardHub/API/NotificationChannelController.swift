import Foundation
import Hummingbird
import StewardCore

/// `/api/v1/notification-channels`: where alerts are sent. Secrets are never shown.
struct NotificationChannelController {
    let channels: ChannelService

    func addRoutes(to group: RouterGroup<OperatorRequestContext>) {
        group.get(use: list)
        group.post(use: create)
        group.delete(":id", use: delete)
        group.post(":id/test", use: test)
        group.get(":id/deliveries", use: deliveries)
    }

    @Sendable func list(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(Wire.ItemList(items: try await channels.list(tenantID: context.identity.tenantID).map(\.wire)))
    }

    @Sendable func create(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.Alerting.ChannelRequest.self, context: context)
        return try JSONResponse(status: .created, try await channels.create(body, by: context.requester).wire)
    }

    @Sendable func delete(request: Request, context: OperatorRequestContext) async throws -> Response {
        try await channels.delete(id: try context.parameters.require("id"), by: context.requester)
        return Response(status: .noContent)
    }

    /// Sends a `test` notification now; the answer is the delivery, delivered or failed with why.
    @Sendable func test(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(try await channels.test(id: try context.parameters.require("id"), by: context.requester).wire)
    }

    @Sendable func deliveries(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let list = try await channels.deliveries(channelID: try context.parameters.require("id"), tenantID: context.identity.tenantID)
        return try JSONResponse(Wire.ItemList(items: list.map(\.wire)))
    }
}
