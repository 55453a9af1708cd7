import Foundation
import Hummingbird
import Logging
import StewardCore

/// Agent routes for jobs: long-poll for the next one, stream its log, report its result.
struct AgentJobController {
    let dispatcher: JobDispatcher
    /// Where idle agents' keep-alives go, to be written together.
    let keepAlives: KeepAliveBatch

    var jobs: JobService { dispatcher.jobs }

    func addRoutes(to group: RouterGroup<AgentRequestContext>) {
        group.post("next", use: next)
        group.post(":id/logs", use: logs)
        group.post(":id/result", use: result)
    }

    /// `POST /api/v1/agent/jobs/next?wait=30&concurrency=1&run_id=…`: 200 with a signed envelope, or 204
    /// when none came in time. `concurrency` is how many jobs the agent runs at once; `run_id` the run
    /// of its process (409 `superseded_run` once the agent started another).
    ///
    /// The body is a heartbeat, taken before the wait: an idle agent that polls at least once per
    /// heartbeat interval needs no separate heartbeats, and so only one connection to the hub. One
    /// that names no attempt and brings no facts only says "seen", which ``KeepAliveBatch`` writes
    /// with others. The hello (`fresh_start`) is not taken here: it must be answered before the agent
    /// asks for jobs.
    @Sendable func next(request: Request, context: AgentRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let seconds = try Self.integer(query["wait"], name: "wait", default: 30, range: 0...60, unit: " seconds")
        let concurrency = try Self.integer(query["concurrency"], name: "concurrency", default: 1, range: 1...16)
        let runID = query["run_id"].map(String.init)
        if let runID, !Wire.Heartbeat.isIdentifier(runID) {
            throw APIError.invalidQuery([.init(field: "run_id", message: "must be 1 to 64 letters, digits and dashes")])
        }
        let heartbeat = try await request.decodeJSON(as: Wire.Heartbeat.Request.self, context: context, nul: .replace)
        var problems = heartbeat.problems()
        if heartbeat.freshStart {
            problems.append(.init(field: "fresh_start", message: "the first heartbeat of a run goes to /api/v1/agent/heartbeat"))
        }
        if !problems.isEmpty { throw APIError.invalid(problems) }
        if heartbeat.facts == nil, heartbeat.running.isEmpty {
            await keepAlives.seen(context.agent.serverID)
        } else {
            try await jobs.heartbeat(heartbeat, agent: context.agent)
        }
        guard
            let envelope = try await dispatcher.next(
                for: context.agent, wait: .seconds(seconds), concurrency: concurrency, runID: runID)
        else {
            return Response(status: .noContent)
        }
        context.logger.debug("job handed out", metadata: ["job.id": "\(envelope.jobID)", "job.attempt": "\(envelope.attempt)"])
        return try JSONResponse(envelope).response(from: request, context: context)
    }

    /// `POST /api/v1/agent/jobs/{id}/logs`: 204 when stored; 409 `job_cancelled` tells the agent to stop
    /// the script, 409 `stale_attempt` that the attempt is over. An empty batch only asks which it is.
    @Sendable func logs(request: Request, context: AgentRequestContext) async throws -> Response {
        let job = try await ownJob(context)
        let batch = try await request.decodeJSON(as: Wire.Job.LogBatch.self, context: context, nul: .replace)
        try await jobs.appendLog(batch, to: job)
        dispatcher.metrics.logIngested(bytes: batch.lines.reduce(0) { $0 + $1.utf8.count + 1 })
        return Response(status: .noContent)
    }

    @Sendable func result(request: Request, context: AgentRequestContext) async throws -> JSONResponse {
        let job = try await ownJob(context)
        let result = try await request.decodeJSON(as: Wire.Job.Result.self, context: context, nul: .replace)
        return try JSONResponse(try await jobs.recordResult(result, for: job).info)
    }

    /// The job, if it runs on this agent's server; another server's jobs do not exist for it.
    private func ownJob(_ context: AgentRequestContext) async throws -> JobRecord {
        let id = try context.parameters.require("id")
        guard let job = try await jobs.store.job(id: id), job.serverID == context.agent.serverID else {
            throw APIError.notFound("job", id: id)
        }
        return job
    }

    /// A whole number from the query within `range`, `fallback` when absent; 400 otherwise.
    static func integer(_ text: Substring?, name: String, default fallback: Int, range: ClosedRange<Int>, unit: String = "") throws -> Int {
        guard let text else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw APIError(
                .badRequest, code: "invalid_query",
                detail: "\(name) must be a whole number between \(range.lowerBound) and \(range.upperBound)\(unit)")
        }
        return value
    }
}
