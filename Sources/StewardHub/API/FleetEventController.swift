import Foundation
import Hummingbird
import StewardCore

/// `GET /api/v1/fleet-events?server_id=…&kind=…&before=…&limit=100`: the stored events, newest first.
/// (`/api/v1/events` is the live stream.)
struct FleetEventController {
    let store: Store

    func addRoutes(to group: RouterGroup<OperatorRequestContext>) {
        group.get(use: list)
    }

    @Sendable func list(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let query = request.uri.queryParameters
        var problems: [Wire.FieldError] = []
        let limit = APIError.limit(query["limit"], fallback: 100, max: 1000, problems: &problems)
        let before = MetricsController.time(query["before"], field: "before", problems: &problems)
        guard problems.isEmpty else { throw APIError.invalidQuery(problems) }
        let events = try await store.fleetEvents(
            tenantID: context.identity.tenantID, serverID: query["server_id"].map(String.init), kind: query["kind"].map(String.init),
            before: before, limit: limit)
        return try JSONResponse(Wire.ItemList(items: events.map(\.wire)))
    }
}
