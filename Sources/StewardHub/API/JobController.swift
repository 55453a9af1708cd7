import Foundation
import Hummingbird
import StewardCore

/// Operator routes for jobs: install and uninstall an app on a server, list jobs, read one and its log.
struct JobController {
    let store: Store
    let catalog: AppCatalog
    let dispatcher: JobDispatcher

    func addRoutes(apps: RouterGroup<OperatorRequestContext>, jobs: RouterGroup<OperatorRequestContext>) {
        apps.post(":id/install") { request, context in try await queue("install", request: request, context: context) }
        apps.post(":id/uninstall") { request, context in try await queue("uninstall", request: request, context: context) }
        jobs.get(use: list)
        jobs.get(":id", use: show)
        jobs.get(":id/logs", use: logs)
    }

    func queue(_ role: String, request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let appID = try context.parameters.require("id")
        guard let app = catalog.app(id: appID) else { throw APIError.notFound("app", id: appID) }
        let manifest = app.manifest
        guard manifest.scripts.all.contains(where: { $0.role == role }) else {
            throw APIError(.conflict, code: "no_script", detail: "\(appID) has no \(role) script")
        }
        let body = try await request.decodeJSON(as: Wire.Job.AppRequest.self, context: context)
        let validated: InputValidator.Validated
        switch InputValidator.validate(manifest, given: body.inputs) {
        case .success(let values): validated = values
        case .failure(let failure): throw APIError.invalid(failure.errors)
        }
        guard let server = try await store.server(id: body.serverID, tenantID: context.identity.tenantID) else {
            throw APIError(
                .unprocessableContent, code: "validation_failed", detail: "server_id: no server with id \(body.serverID)",
                errors: [.init(field: "server_id", message: "no server with id \(body.serverID)")])
        }
        if let reason = Self.incompatibility(manifest, facts: server.facts) {
            throw APIError(.conflict, code: "os_not_supported", detail: "\(server.name) cannot run \(appID): \(reason)")
        }
        let environment = validated.environment
        let secretNames = validated.secretNames.map { $0.uppercased() }.sorted()
        let secrets = environment.filter { secretNames.contains($0.key) }
        let now = Date()
        let job = JobRecord(
            id: UUID().uuidString.lowercased(), tenantID: context.identity.tenantID, serverID: server.id, kind: role, appID: appID,
            appVersion: manifest.version, inputs: environment.filter { !secretNames.contains($0.key) },
            sealedSecrets: secrets.isEmpty ? nil : try SecretBox(key: dispatcher.keys.masterKey).seal(secrets),
            secretNames: secretNames, maxAttempts: manifest.retry.maxAttempts, backoffSeconds: manifest.retry.backoffSeconds,
            timeoutSeconds: manifest.timeoutSeconds, requestedBy: context.identity.email, createdAt: now)
        try await store.createJob(
            job,
            audit: context.audit(
                "job.\(role)", target: "job:\(job.id)",
                detail: ["app": appID, "server": server.id, "inputs": validated.values.keys.sorted().joined(separator: ",")]))
        await dispatcher.queued(job)
        return try JSONResponse(status: .accepted, job.info)
    }

    @Sendable func list(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let query = request.uri.queryParameters
        var status: Wire.Job.Status?
        if let text = query["status"] {
            guard let parsed = Wire.Job.Status(rawValue: String(text)) else {
                throw APIError(
                    .badRequest, code: "invalid_query",
                    detail: "status must be one of \(Wire.Job.Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            status = parsed
        }
        let jobs = try await store.jobs(
            tenantID: context.identity.tenantID, serverID: query["server"].map(String.init), status: status,
            appID: query["app"].map(String.init), limit: 200)
        return try JSONResponse(Wire.ItemList(items: jobs.map(\.info)))
    }

    @Sendable func show(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(try await job(context).info)
    }

    @Sendable func logs(request: Request, context: OperatorRequestContext) async throws -> Response {
        let job = try await job(context)
        let query = request.uri.queryParameters
        let offset = try query["offset"].map { text in
            guard let value = Int64(text), value >= 0 else {
                throw APIError(.badRequest, code: "invalid_query", detail: "offset must be a byte offset (0 or more)")
            }
            return value
        }
        let tail = try query["tail"].map { text in
            guard let value = Int64(text), value > 0 else {
                throw APIError(.badRequest, code: "invalid_query", detail: "tail must be a positive number of bytes")
            }
            return value
        }
        let text = try await store.log(jobID: job.id, offset: offset, tail: tail)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private func job(_ context: OperatorRequestContext) async throws -> JobRecord {
        let id = try context.parameters.require("id")
        guard let job = try await store.job(id: id), job.tenantID == context.identity.tenantID else {
            throw APIError.notFound("job", id: id)
        }
        return job
    }

    /// Why a server's facts do not meet the manifest's `os_requirements`, or `nil` when they do.
    static func incompatibility(_ manifest: Manifest, facts: Wire.Facts) -> String? {
        guard let requirements = manifest.osRequirements else { return nil }
        if !requirements.family.isEmpty, !requirements.family.contains(facts.osID) {
            return "it runs \(facts.osID), and the app supports \(requirements.family.joined(separator: ", "))"
        }
        if let minimum = requirements.minVersion.flatMap(OSVersion.init), let version = OSVersion(facts.osVersion), version < minimum {
            return "it runs \(facts.osID) \(facts.osVersion), and the app needs \(minimum) or later"
        }
        return nil
    }
}
