import Foundation
import HTTPTypes
import Hummingbird
import StewardCore
import StewardHub

/// `/api/v1/admin/…`: clients, their instances, and each instance's license, keys and telemetry.
struct AdminController {
    let licenses: LicenseService

    func addRoutes(to group: RouterGroup<LicensingRequestContext>) {
        group.post("clients", use: createClient)
        group.get("clients", use: listClients)
        group.get("clients/{id}", use: getClient)
        group.patch("clients/{id}", use: updateClient)
        group.delete("clients/{id}", use: deleteClient)
        group.post("clients/{id}/instances", use: createInstance)
        group.get("clients/{id}/instances", use: listInstances)
        group.get("instances/{id}", use: getInstance)
        group.patch("instances/{id}", use: updateInstance)
        group.delete("instances/{id}", use: deleteInstance)
        group.get("instances/{id}/telemetry", use: telemetry)
        group.post("instances/{id}/rotate-license") { _, context in
            try JSONResponse(try await licenses.rotateLicense(id: context.parameters.require("id")))
        }
        group.post("instances/{id}/rotate-hub-key") { _, context in
            try JSONResponse(try await licenses.rotateHubKey(id: context.parameters.require("id")))
        }
        group.post("instances/{id}/suspend") { _, context in
            try JSONResponse(try await licenses.setState(id: context.parameters.require("id"), .suspended))
        }
        group.post("instances/{id}/reactivate") { _, context in
            try JSONResponse(try await licenses.setState(id: context.parameters.require("id"), .active))
        }
        group.post("instances/{id}/allow-move") { _, context in
            try JSONResponse(try await licenses.allowMove(id: context.parameters.require("id")))
        }
    }

    @Sendable func createClient(request: Request, context: LicensingRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.Licensing.ClientRequest.self, context: context)
        return try JSONResponse(status: .created, try await licenses.createClient(body))
    }

    @Sendable func listClients(request: Request, context: LicensingRequestContext) async throws -> JSONResponse {
        try JSONResponse(try await licenses.clients())
    }

    @Sendable func getClient(request: Request, context: LicensingRequestContext) async throws -> JSONResponse {
        try JSONResponse(try await licenses.client(id: context.parameters.require("id")))
    }

    @Sendable func updateClient(request: Request, context: LicensingRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.Licensing.ClientRequest.self, context: context)
        return try JSONResponse(try await licenses.updateClient(id: context.parameters.require("id"), body))
    }

    @Sendable func deleteClient(request: Request, context: LicensingRequestContext) async throws -> Response {
        try await licenses.deleteClient(id: context.parameters.require("id"))
        return Response(status: .noContent)
    }

    @Sendable func createInstance(request: Request, context: LicensingRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.Licensing.InstanceRequest.self, context: context)
        return try JSONResponse(status: .created, try await licenses.createInstance(clientID: context.parameters.require("id"), body))
    }

    @Sendable func listInstances(request: Request, context: LicensingRequestContext) async throws -> JSONResponse {
        try JSONResponse(try await licenses.instances(clientID: context.parameters.require("id")))
    }

    @Sendable func getInstance(request: Request, context: LicensingRequestContext) async throws -> JSONResponse {
        try JSONResponse(try await licenses.instance(id: context.parameters.require("id")))
    }

    @Sendable func updateInstance(request: Request, context: LicensingRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.Licensing.InstancePatch.self, context: context)
        return try JSONResponse(try await licenses.updateInstance(id: context.parameters.require("id"), body))
    }

    @Sendable func deleteInstance(request: Request, context: LicensingRequestContext) async throws -> Response {
        _ = try await licenses.setState(id: context.parameters.require("id"), .deleted)
        return Response(status: .noContent)
    }

    @Sendable func telemetry(request: Request, context: LicensingRequestContext) async throws -> JSONResponse {
        var problems: [Wire.FieldError] = []
        let limit = APIError.limit(request.uri.queryParameters["limit"], fallback: 50, max: 500, problems: &problems)
        if !problems.isEmpty { throw APIError.invalidQuery(problems) }
        return try JSONResponse(try await licenses.telemetry(instanceID: context.parameters.require("id"), limit: limit))
    }
}
