import Foundation
import Hummingbird
import StewardCore

/// Host metrics over HTTP: agents report them, operators read a server's series.
struct MetricsController {
    let metrics: MetricsService
    let events: EventBus

    /// `POST /api/v1/agent/metrics`: 204 once stored.
    func addAgentRoutes(to group: RouterGroup<AgentRequestContext>) {
        group.post(use: report)
    }

    /// `GET /api/v1/servers/{id}/metrics?names=cpu.percent,load.1&from=…&to=…&step=60`.
    func addOperatorRoutes(to group: RouterGroup<OperatorRequestContext>) {
        group.get(":id/metrics", use: query)
    }

    @Sendable func report(request: Request, context: AgentRequestContext) async throws -> Response {
        let report = try await request.decodeJSON(as: Wire.Metrics.Report.self, context: context, nul: .replace)
        try await metrics.ingest(report, from: context.agent)
        await events.publish(
            Wire.Event(kind: .metricsReported, at: metrics.clock.now, tenantID: context.agent.tenantID, serverID: context.agent.serverID))
        return Response(status: .noContent)
    }

    @Sendable func query(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let id = try context.parameters.require("id")
        guard try await metrics.store.server(id: id, tenantID: context.identity.tenantID) != nil else {
            throw APIError.notFound("server", id: id)
        }
        let query = request.uri.queryParameters
        var problems: [Wire.FieldError] = []
        let names = (query["names"].map(String.init) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let from = Self.time(query["from"], field: "from", problems: &problems)
        let to = Self.time(query["to"], field: "to", problems: &problems)
        var step: Int?
        if let text = query["step"] {
            step = Int(text)
            if step == nil { problems.append(.init(field: "step", message: "must be a whole number of seconds")) }
        }
        guard problems.isEmpty else { throw APIError.invalidQuery(problems) }
        return try JSONResponse(
            try await metrics.query(serverID: id, tenantID: context.identity.tenantID, names: names, from: from, to: to, step: step))
    }

    /// An ISO 8601 time or Unix seconds.
    static func time(_ text: Substring?, field: String, problems: inout [Wire.FieldError]) -> Date? {
        guard let text, !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds.isFinite, abs(seconds) < 1e11 { return Date(timeIntervalSince1970: seconds) }
        if let date = try? Date(String(text), strategy: .iso8601) { return date }
        problems.append(.init(field: field, message: "must be an ISO 8601 time or Unix seconds"))
        return nil
    }
}
