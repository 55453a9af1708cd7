import Foundation
import Hummingbird
import Logging
import StewardCore

/// Agent routes for jobs: long-poll for the next one, stream its log, report its result.
struct AgentJobController {
    let store: Store
    let dispatcher: JobDispatcher

    func addRoutes(to group: RouterGroup<AgentRequestContext>) {
        group.post("next", use: next)
        group.post(":id/logs", use: logs)
        group.post(":id/result", use: result)
    }

    /// `POST /api/v1/agent/jobs/next?wait=30&concurrency=1`: 200 with a signed envelope, or 204 when
    /// none came in time. `concurrency` is how many jobs the agent runs at once.
    @Sendable func next(request: Request, context: AgentRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let seconds = query["wait"].flatMap { Int($0) } ?? 30
        guard (0...60).contains(seconds) else {
            throw APIError(.badRequest, code: "invalid_query", detail: "wait must be between 0 and 60 seconds")
        }
        let concurrency = query["concurrency"].flatMap { Int($0) } ?? 1
        guard (1...16).contains(concurrency) else {
            throw APIError(.badRequest, code: "invalid_query", detail: "concurrency must be between 1 and 16")
        }
        guard let envelope = try await dispatcher.next(for: context.agent, wait: .seconds(seconds), concurrency: concurrency) else {
            return Response(status: .noContent)
        }
        context.logger.debug("job handed out", metadata: ["job.id": "\(envelope.jobID)", "job.attempt": "\(envelope.attempt)"])
        return try JSONResponse(envelope).response(from: request, context: context)
    }

    /// `POST /api/v1/agent/jobs/{id}/logs`: 204 when stored; 409 `job_cancelled` tells the agent to stop
    /// the script, 409 `stale_attempt` that the attempt is over. An empty batch only asks which it is.
    @Sendable func logs(request: Request, context: AgentRequestContext) async throws -> Response {
        let job = try await ownJob(context)
        let batch = try await request.decodeJSON(as: Wire.Job.LogBatch.self, context: context)
        // The agent masked the lines already; the hub masks again with what it knows, in case it did not.
        var lines = batch.lines
        if !lines.isEmpty, job.sealedSecrets != nil || job.sealedSteps != nil {
            let box = SecretBox(key: dispatcher.keys.masterKey)
            var secrets = try job.sealedSecrets.map { Array(try box.open($0).values) } ?? []
            secrets += try job.sealedSteps.map { try box.open($0, as: [Wire.Job.Step].self).flatMap(\.secrets) } ?? []
            let masker = SecretMasker(secrets: secrets)
            lines = lines.map(masker.mask)
        }
        guard let length = try await store.appendLog(jobID: job.id, attempt: batch.attempt, lines: lines) else {
            let current = try await store.job(id: job.id)
            if current?.status == .cancelled, current?.attempt == batch.attempt {
                throw APIError(.conflict, code: "job_cancelled", detail: "job \(job.id) was cancelled")
            }
            throw APIError(.conflict, code: "stale_attempt", detail: "attempt \(batch.attempt) of job \(job.id) is not running")
        }
        if !lines.isEmpty { await dispatcher.events.publish(job.logEvent(length: length)) }
        return Response(status: .noContent)
    }

    @Sendable func result(request: Request, context: AgentRequestContext) async throws -> JSONResponse {
        let job = try await ownJob(context)
        let result = try await request.decodeJSON(as: Wire.Job.Result.self, context: context)
        switch try await store.recordResult(jobID: job.id, result: result, backoffScale: dispatcher.backoffScale, now: Date()) {
        case .applied(let job):
            context.logger.info(
                "job attempt finished",
                metadata: ["job.id": "\(job.id)", "job.attempt": "\(job.attempt)", "job.status": "\(job.status.rawValue)"])
            await dispatcher.announce(job)
            return try JSONResponse(job.info)
        case .duplicate(let job):
            return try JSONResponse(job.info)
        case .stale(let current):
            throw APIError(.conflict, code: "stale_attempt", detail: "job \(job.id) is at attempt \(current), not \(result.attempt)")
        case .unknown:
            throw APIError.notFound("job", id: job.id)
        }
    }

    /// The job, if it runs on this agent's server; another server's jobs do not exist for it.
    private func ownJob(_ context: AgentRequestContext) async throws -> JobRecord {
        let id = try context.parameters.require("id")
        guard let job = try await store.job(id: id), job.serverID == context.agent.serverID else {
            throw APIError.notFound("job", id: id)
        }
        return job
    }
}
