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
        jobs.post(use: queueSteps)
        jobs.get(":id", use: show)
        jobs.get(":id/logs", use: logs)
        jobs.post(":id/cancel", use: cancel)
        jobs.post(":id/retry", use: retry)
    }

    func queue(_ role: String, request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let appID = try context.parameters.require("id")
        guard catalog.app(id: appID) != nil else { throw APIError.notFound("app", id: appID) }
        let body = try await request.decodeJSON(as: Wire.Job.AppRequest.self, context: context)
        return try JSONResponse(status: .accepted, try await queue(role, appID: appID, body: body, context: context).info)
    }

    /// Queues an install or uninstall (with the chain of what an install requires); the API and the
    /// console share it. Throws ``APIError`` with every field error, or 409 when the server cannot run it.
    func queue(_ role: String, appID: String, body: Wire.Job.AppRequest, context: some OperatorContext) async throws -> JobRecord {
        guard let app = catalog.app(id: appID) else { throw APIError.notFound("app", id: appID) }
        let manifest = app.manifest
        guard manifest.scripts.all.contains(where: { $0.role == role }) else {
            throw APIError(.conflict, code: "no_script", detail: "\(appID) has no \(role) script")
        }
        let validated: InputValidator.Validated
        switch InputValidator.validate(manifest, given: body.inputs) {
        case .success(let values): validated = values
        case .failure(let failure): throw APIError.invalid(failure.errors)
        }
        let server = try await server(body.serverID, context: context)
        if let reason = Self.incompatibility(manifest, facts: server.facts) {
            throw APIError(.conflict, code: "os_not_supported", detail: "\(server.name) cannot run \(appID): \(reason)")
        }
        // An install first queues the installs of what the app requires and the server lacks, each
        // waiting for the one before; the app's own job waits for the last of them.
        var chain: [JobRecord] = []
        if role == "install" {
            let present = try await store.presentApps(serverID: server.id)
            for dependencyID in catalog.requirements(of: appID) where !present.contains(dependencyID) {
                guard let dependency = catalog.app(id: dependencyID) else { continue }
                if let reason = Self.incompatibility(dependency.manifest, facts: server.facts) {
                    throw APIError(
                        .conflict, code: "os_not_supported",
                        detail: "\(server.name) cannot run \(dependencyID), which \(appID) requires: \(reason)")
                }
                switch InputValidator.validate(dependency.manifest, given: [:]) {
                case .success(let values):
                    chain.append(
                        try appJob(dependency.manifest, "install", values, server: server, context: context, after: chain.last?.id))
                case .failure(let failure):
                    throw APIError.invalid(
                        failure.errors.map {
                            .init(field: "requires.\(dependencyID).\($0.field)", message: "\($0.message); install \(dependencyID) first")
                        })
                }
            }
        }
        let job = try appJob(manifest, role, validated, server: server, context: context, after: chain.last?.id)
        chain.append(job)
        var detail = ["app": appID, "server": server.id, "inputs": validated.values.keys.sorted().joined(separator: ",")]
        if chain.count > 1 { detail["requires"] = chain.dropLast().compactMap(\.appID).joined(separator: ",") }
        try await store.createJobs(chain, audit: context.audit("job.\(role)", target: "job:\(job.id)", detail: detail))
        for queued in chain { await dispatcher.announce(queued) }
        return job
    }

    /// A job running one of an app's scripts with validated inputs; secret inputs sealed.
    private func appJob(
        _ manifest: Manifest, _ role: String, _ validated: InputValidator.Validated, server: ServerRecord, context: some OperatorContext,
        after: String?
    ) throws -> JobRecord {
        let environment = validated.environment
        let secretNames = validated.secretNames.map { $0.uppercased() }.sorted()
        let secrets = environment.filter { secretNames.contains($0.key) }
        var job = JobRecord(
            id: UUID().uuidString.lowercased(), tenantID: context.identity.tenantID, serverID: server.id, kind: role, appID: manifest.id,
            appVersion: manifest.version, inputs: environment.filter { !secretNames.contains($0.key) },
            sealedSecrets: secrets.isEmpty ? nil : try SecretBox(key: dispatcher.keys.masterKey).seal(secrets),
            secretNames: secretNames, maxAttempts: manifest.retry.maxAttempts, backoffSeconds: manifest.retry.backoffSeconds,
            timeoutSeconds: manifest.timeoutSeconds, requestedBy: context.identity.email, createdAt: Date())
        job.afterJobID = after
        return job
    }

    /// `POST /api/v1/jobs`: a job of one step, or a `composite` chain of several, for one server.
    /// Step contents are sealed at rest and masked wherever the job is shown.
    @Sendable func queueSteps(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.Job.StepsRequest.self, context: context)
        var problems: [Wire.FieldError] = []
        if body.steps.isEmpty || body.steps.count > StepCheck.maxSteps {
            problems.append(.init(field: "steps", message: "give 1 to \(StepCheck.maxSteps) steps"))
        }
        var steps = body.steps
        for (index, step) in steps.enumerated() {
            problems += StepCheck.problems(step, index: index)
            guard step.type == .script, let appID = step.app, let role = step.role else { continue }
            guard let app = catalog.app(id: appID) else {
                problems.append(.init(field: "steps[\(index)].app", message: "no app with id \(appID) in the catalog"))
                continue
            }
            if !app.manifest.scripts.all.contains(where: { $0.role == role }) {
                problems.append(.init(field: "steps[\(index)].role", message: "\(appID) has no \(role) script"))
            }
            switch InputValidator.validate(app.manifest, given: (step.inputs ?? [:]).mapValues { .text($0) }) {
            case .success(let validated):
                steps[index].environment = validated.environment
                steps[index].secretNames = validated.secretNames.map { $0.uppercased() }.sorted()
            case .failure(let failure):
                problems += failure.errors.map { .init(field: "steps[\(index)].inputs.\($0.field)", message: $0.message) }
            }
        }
        let timeout = body.timeoutSeconds ?? 600
        if !(1...86_400).contains(timeout) { problems.append(.init(field: "timeout_seconds", message: "must be 1 to 86400")) }
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        let server = try await server(body.serverID, context: context)
        let kind = body.steps.count == 1 ? body.steps[0].type.rawValue : "composite"
        var job = JobRecord(
            id: UUID().uuidString.lowercased(), tenantID: context.identity.tenantID, serverID: server.id, kind: kind, appID: nil,
            appVersion: nil, inputs: [:], sealedSecrets: nil, secretNames: [], maxAttempts: 1, backoffSeconds: [],
            timeoutSeconds: timeout, requestedBy: context.identity.email, createdAt: Date())
        job.steps = steps.map(\.masked)
        job.exclusive = !steps.allSatisfy(\.type.allowsConcurrency)
        job.sealedSteps = try SecretBox(key: dispatcher.keys.masterKey).seal(encoding: steps)
        try await store.createJob(
            job,
            audit: context.audit(
                "job.steps", target: "job:\(job.id)",
                detail: ["server": server.id, "steps": body.steps.map(\.type.rawValue).joined(separator: ",")]))
        await dispatcher.announce(job)
        return try JSONResponse(status: .accepted, job.info)
    }

    /// The tenant's server named in a request body; a 422 on `server_id` when there is none.
    private func server(_ id: String, context: some OperatorContext) async throws -> ServerRecord {
        guard let server = try await store.server(id: id, tenantID: context.identity.tenantID) else {
            throw APIError(
                .unprocessableContent, code: "validation_failed", detail: "server_id: no server with id \(id)",
                errors: [.init(field: "server_id", message: "no server with id \(id)")])
        }
        return server
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
        if query["follow"] == "1" || query["follow"] == "true" {
            // A reconnecting EventSource says where it stopped; that wins over the query.
            let resume = request.headers[.lastEventID].flatMap { Int64($0) }.map { max(0, $0) }
            return try await follow(job, from: resume ?? offset ?? tail.map { max(0, job.logBytes - $0) } ?? 0)
        }
        let text = try await store.log(jobID: job.id, offset: offset, tail: tail)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Streams the log from `offset` as Server-Sent Events until the job ends: `log` messages carry new
    /// text (their id is the offset after it, for `Last-Event-ID`), and a last `end` message the job.
    func follow(_ job: JobRecord, from offset: Int64) async throws -> Response {
        let store = self.store
        let signals = await EventFeed.open(dispatcher.events)
        return Response(
            status: .ok, headers: ServerSentEvent.responseHeaders,
            body: .init { writer in
                var sent = offset
                // The first round reads what is there already; later rounds what an event announced.
                var signal: EventFeed.Signal? = .tick
                var iterator = signals.makeAsyncIterator()
                while let current = signal {
                    if case .event(let event) = current, event.jobID != job.id {
                        signal = await iterator.next()
                        continue
                    }
                    guard let now = try await store.job(id: job.id) else { break }
                    let text = try await store.log(jobID: job.id, offset: sent, tail: nil)
                    if !text.isEmpty {
                        sent += Int64(text.utf8.count)
                        try await writer.write(ByteBuffer(string: ServerSentEvent(event: "log", id: String(sent), data: text).encoded))
                    } else if case .tick = current {
                        try await writer.write(ByteBuffer(string: ServerSentEvent.keepAlive))
                    }
                    if now.status.isFinal {
                        let data = String(decoding: try Wire.makeEncoder().encode(now.info), as: UTF8.self)
                        try await writer.write(ByteBuffer(string: ServerSentEvent(event: "end", data: data).encoded))
                        break
                    }
                    signal = await iterator.next()
                }
                try await writer.finish(nil)
            })
    }

    /// `POST /api/v1/jobs/{id}/cancel`: 200 with the cancelled job; 409 when it has already finished.
    @Sendable func cancel(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(try await cancel(try context.parameters.require("id"), context: context).info)
    }

    /// Cancels the job (see ``cancel(request:context:)``); the API and the console share it.
    func cancel(_ id: String, context: some OperatorContext) async throws -> JobRecord {
        let change = try await store.cancelJob(
            id: id, tenantID: context.identity.tenantID, at: Date(), audit: context.audit("job.cancel", target: "job:\(id)"))
        switch change {
        case .changed(let job):
            await dispatcher.announce(job)
            return job
        case .refused(let job):
            throw APIError(.conflict, code: "job_finished", detail: "job \(id) has already finished (\(job.status.rawValue))")
        case .unknown:
            throw APIError.notFound("job", id: id)
        }
    }

    /// `POST /api/v1/jobs/{id}/retry`: queues a failed, timed-out, dead, cancelled or needs-attention job
    /// again. Password inputs an operator typed must be given again (`{"inputs": {...}}`): the hub
    /// erased them when the job finished. Generated passwords are generated anew.
    @Sendable func retry(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let job = try await job(context)
        let body = try await request.decodeJSON(as: Wire.Job.RetryRequest.self, context: context, ifEmpty: .init())
        return try JSONResponse(status: .accepted, try await retry(job, inputs: body.inputs, context: context).info)
    }

    /// Queues `job` again (see ``retry(request:context:)``); the API and the console share it.
    func retry(_ job: JobRecord, inputs: [String: InputValue], context: some OperatorContext) async throws -> JobRecord {
        guard job.status.isFinal, job.status != .succeeded else {
            throw APIError(
                .conflict, code: "job_not_retryable",
                detail: "only a job that ended without success can be retried; job \(job.id) is \(job.status.rawValue)")
        }
        guard job.steps.isEmpty else {
            throw APIError(
                .conflict, code: "job_not_retryable",
                detail: "a step job's contents are erased when it ends; queue its steps again with POST /api/v1/jobs")
        }
        guard let appID = job.appID, let app = catalog.app(id: appID) else {
            throw APIError(.conflict, code: "app_unavailable", detail: "the catalog no longer has \(job.appID ?? "the job's app")")
        }
        let manifest = app.manifest
        var given: [String: InputValue] = [:]
        var errors: [Wire.FieldError] = []
        for input in manifest.inputs {
            if let value = job.inputs[input.environmentName] { given[input.name] = .text(value) }
        }
        for (name, value) in inputs {
            guard let input = manifest.input(named: name), input.type == .password else {
                errors.append(.init(field: "inputs.\(name)", message: "only password inputs are given again on a retry"))
                continue
            }
            given[name] = value
        }
        // A typed password that the job had must come again; leaving it out would run without it.
        for input in manifest.inputs
        where input.type == .password && input.generateLength == nil && job.secretNames.contains(input.environmentName)
            && inputs[input.name] == nil
        {
            errors.append(
                .init(field: "inputs.\(input.name)", message: "was erased when the job ended; give it again to retry"))
        }
        guard errors.isEmpty else { throw APIError.invalid(errors) }
        let validated: InputValidator.Validated
        switch InputValidator.validate(manifest, given: given) {
        case .success(let values): validated = values
        case .failure(let failure): throw APIError.invalid(failure.errors)
        }
        let secretNames = Set(validated.secretNames.map { $0.uppercased() })
        let secrets = validated.environment.filter { secretNames.contains($0.key) }
        let sealed = secrets.isEmpty ? nil : try SecretBox(key: dispatcher.keys.masterKey).seal(secrets)
        let change = try await store.retryJob(
            id: job.id, tenantID: context.identity.tenantID, attempts: manifest.retry.maxAttempts, sealedSecrets: sealed, at: Date(),
            audit: context.audit("job.retry", target: "job:\(job.id)", detail: ["inputs": inputs.keys.sorted().joined(separator: ",")])
        )
        switch change {
        case .changed(let job):
            await dispatcher.announce(job)
            return job
        case .refused(let job):
            throw APIError(.conflict, code: "job_not_retryable", detail: "job \(job.id) is \(job.status.rawValue) now")
        case .unknown:
            throw APIError.notFound("job", id: job.id)
        }
    }

    private func job(_ context: OperatorRequestContext) async throws -> JobRecord {
        let id = try context.parameters.require("id")
        guard let job = try await store.job(id: id, tenantID: context.identity.tenantID) else {
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
