import Foundation
import Hummingbird
import StewardCore

/// `/api/v1/installations`: installed apps, their health and backups, and the jobs that upgrade,
/// reconfigure, back up, restore, check and remove them. The rules are ``InstallationService``'s.
struct InstallationController {
    let installations: InstallationService

    func addRoutes(to group: RouterGroup<OperatorRequestContext>) {
        group.get(use: list)
        group.get(":id", use: show)
        group.patch(":id", use: update)
        group.get(":id/health", use: health)
        group.get(":id/backups", use: backups)
        group.post(":id/upgrade") { _, context in
            try await accepted(try await installations.upgrade(try context.parameters.require("id"), by: context.requester))
        }
        group.post(":id/reconfigure") { request, context in
            let body = try await request.decodeJSON(as: Wire.Installations.ReconfigureRequest.self, context: context)
            return try await accepted(
                try await installations.reconfigure(try context.parameters.require("id"), changing: body.inputs, by: context.requester))
        }
        group.post(":id/uninstall") { _, context in
            try await accepted(try await installations.uninstall(try context.parameters.require("id"), by: context.requester))
        }
        group.post(":id/backup") { _, context in
            try await accepted(try await installations.backup(try context.parameters.require("id"), by: context.requester))
        }
        group.post(":id/restore") { request, context in
            let body = try await request.decodeJSON(as: Wire.Installations.RestoreRequest.self, context: context)
            return try await accepted(try await installations.restore(try context.parameters.require("id"), body, by: context.requester))
        }
        group.post(":id/check-health") { _, context in
            let id = try context.parameters.require("id")
            let installation = try await installations.installation(id, tenantID: context.identity.tenantID)
            guard let job = try await installations.checkHealth(installation, by: context.requester) else {
                throw APIError(
                    .conflict, code: "no_health_check",
                    detail: "\(installation.appID) has no health script, or a health check of it is waiting or running already")
            }
            return try await accepted(job)
        }
        group.post(":id/credentials") { _, context in
            try JSONResponse(try await installations.credentials(try context.parameters.require("id"), by: context.requester))
        }
    }

    private func accepted(_ job: JobRecord) async throws -> JSONResponse {
        try JSONResponse(status: .accepted, job.info)
    }

    @Sendable func list(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let server = request.uri.queryParameters["server"].map(String.init)
        return try JSONResponse(Wire.ItemList(items: try await installations.list(tenantID: context.identity.tenantID, serverID: server)))
    }

    @Sendable func show(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let installation = try await installations.installation(try context.parameters.require("id"), tenantID: context.identity.tenantID)
        return try JSONResponse(installations.wire(installation))
    }

    @Sendable func update(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let patch = try await request.decodeJSON(as: Wire.Installations.Patch.self, context: context)
        let updated = try await installations.setHealthInterval(try context.parameters.require("id"), patch, by: context.requester)
        return try JSONResponse(installations.wire(updated))
    }

    /// The last health checks, newest first.
    @Sendable func health(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let installation = try await installations.installation(try context.parameters.require("id"), tenantID: context.identity.tenantID)
        return try JSONResponse(
            Wire.ItemList(
                items: try await installations.store.healthChecks(installationID: installation.id, tenantID: installation.tenantID)))
    }

    @Sendable func backups(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let installation = try await installations.installation(try context.parameters.require("id"), tenantID: context.identity.tenantID)
        return try JSONResponse(
            Wire.ItemList(
                items: try await installations.store.backups(installationID: installation.id, tenantID: installation.tenantID).map(\.wire)))
    }
}
