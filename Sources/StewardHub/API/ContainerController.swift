import Foundation
import Hummingbird
import StewardCore

/// Docker containers over HTTP: agents report them, operators read a server's.
struct ContainerController {
    let containers: ContainerService

    /// `POST /api/v1/agent/containers`: 200 once stored, with how many log lines of each container
    /// the next report should bring (`{"log_tail_lines": 100}`, or 0).
    func addAgentRoutes(to group: RouterGroup<AgentRequestContext>) {
        group.post(use: report)
    }

    /// `GET /api/v1/servers/{id}/containers`.
    func addOperatorRoutes(to group: RouterGroup<OperatorRequestContext>) {
        group.get(":id/containers", use: list)
    }

    @Sendable func report(request: Request, context: AgentRequestContext) async throws -> JSONResponse {
        let report = try await request.decodeJSON(as: Wire.Containers.Report.self, context: context, nul: .replace)
        return try JSONResponse(try await containers.ingest(report, from: context.agent))
    }

    @Sendable func list(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let id = try context.parameters.require("id")
        guard let list = try await containers.store.containers(serverID: id, tenantID: context.identity.tenantID) else {
            throw APIError.notFound("server", id: id)
        }
        return try JSONResponse(list)
    }
}
