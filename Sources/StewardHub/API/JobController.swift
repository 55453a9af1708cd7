import Foundation
import Hummingbird
import NIOCore
import StewardCore

/// Operator routes for jobs: install and uninstall an app on a server, queue step jobs, list jobs,
/// read one and its log, cancel and retry. The rules are ``JobService``'s.
struct JobController {
    let jobs: JobService

    func addRoutes(apps: RouterGroup<OperatorRequestContext>, jobs group: RouterGroup<OperatorRequestContext>) {
        apps.post(":id/install") { request, context in try await queueApp(.install, request: request, context: context) }
        apps.post(":id/uninstall") { request, context in try await queueApp(.uninstall, request: request, context: context) }
        group.get(use: list)
        group.post(use: queueSteps)
        group.get(":id", use: show)
        group.get(":id/logs", use: logs)
        group.post(":id/cancel", use: cancel)
        group.post(":id/retry", use: retry)
    }

    func queueApp(_ role: ScriptRole, request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let appID = try context.parameters.require("id")
        guard jobs.catalog.app(id: appID) != nil else { throw APIError.notFound("app", id: appID) }
        let body = try await request.decodeJSON(as: Wire.Job.AppRequest.self, context: context)
        return try JSONResponse(status: .accepted, try await jobs.queueApp(role, appID: appID, body: body, by: context.requester).info)
    }

    /// `POST /api/v1/jobs`: a job of one step, or a `composite` chain of several, for one server.
    @Sendable func queueSteps(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.Job.StepsRequest.self, context: context)
        return try JSONResponse(status: .accepted, try await jobs.queueSteps(body, by: context.requester).info)
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
        let records = try await jobs.store.jobs(
            tenantID: context.identity.tenantID, serverID: query["server"].map(String.init), status: status,
            appID: query["app"].map(String.init), limit: 200)
        return try JSONResponse(Wire.ItemList(items: records.map(\.info)))
    }

    @Sendable func show(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(try jobs.detailedInfo(try await job(context)))
    }

    /// `GET /api/v1/jobs/{id}/logs`: the log as text (from `offset`, or its last `tail` bytes), or with
    /// `follow=1` as Server-Sent Events until the job ends. Either way it is read and sent in slices.
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
        let following = try query["follow"].map { text in
            guard let value = Self.flag(text) else {
                throw APIError(.badRequest, code: "invalid_query", detail: "follow must be 1, true, 0 or false")
            }
            return value
        }
        if following == true {
            // A reconnecting EventSource says where it stopped; that wins over the query.
            let resume = request.headers[.lastEventID].flatMap { Int64($0) }.map { max(0, $0) }
            return follow(job, from: resume ?? offset ?? tail.map { max(0, job.logBytes - $0) } ?? 0)
        }
        let start = tail.map { max(0, job.logBytes - $0) } ?? offset ?? 0
        let jobs = self.jobs
        return Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init { writer in
                try await jobs.readLog(job, from: start) { slice in try await writer.write(ByteBuffer(bytes: slice)) }
                try await writer.finish(nil)
            })
    }

    /// Streams the log from `offset` as Server-Sent Events until the job ends: `log` messages carry new
    /// text (their id is the offset after it, for `Last-Event-ID`), and a last `end` message the job.
    func follow(_ job: JobRecord, from offset: Int64) -> Response {
        let jobs = self.jobs
        return Response(
            status: .ok, headers: ServerSentEvent.responseHeaders,
            body: .init { writer in
                try await jobs.follow(job, from: offset) { update in
                    switch update {
                    case .text(let bytes, let offset):
                        let text = String(decoding: bytes, as: UTF8.self)
                        try await writer.write(
                            ByteBuffer(bytes: ServerSentEvent(event: "log", id: String(offset), data: text).encodedBytes))
                    case .idle:
                        try await writer.write(ByteBuffer(string: ServerSentEvent.keepAlive))
                    case .end(let job):
                        let data = String(decoding: try Wire.makeEncoder().encode(job.info), as: UTF8.self)
                        try await writer.write(ByteBuffer(string: ServerSentEvent(event: "end", data: data).encoded))
                    }
                }
                try await writer.finish(nil)
            })
    }

    /// `POST /api/v1/jobs/{id}/cancel`: 200 with the cancelled job; 409 when it has already finished.
    @Sendable func cancel(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(try await jobs.cancel(try context.parameters.require("id"), by: context.requester).info)
    }

    /// `POST /api/v1/jobs/{id}/retry`: queues a job that ended without success again. Password inputs
    /// an operator typed must be given again (`{"inputs": {...}}`): the hub erased them when the job
    /// finished. Generated passwords are generated anew.
    @Sendable func retry(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let job = try await job(context)
        let body = try await request.decodeJSON(as: Wire.Job.RetryRequest.self, context: context, ifEmpty: .init())
        return try JSONResponse(status: .accepted, try await jobs.retry(job, inputs: body.inputs, by: context.requester).info)
    }

    private func job(_ context: OperatorRequestContext) async throws -> JobRecord {
        let id = try context.parameters.require("id")
        guard let job = try await jobs.store.job(id: id, tenantID: context.identity.tenantID) else {
            throw APIError.notFound("job", id: id)
        }
        return job
    }

    /// `1`/`true` or `0`/`false`; `nil` for anything else.
    static func flag(_ text: Substring) -> Bool? {
        switch text {
        case "1", "true": true
        case "0", "false": false
        default: nil
        }
    }
}
