import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StewardCore

/// The jobs list and a job's page: its log live, cancel and retry.
extension ConsoleController {
    @Sendable func jobList(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let status = query["status"].flatMap { Wire.Job.Status(rawValue: String($0)) }
        let app = query["app"].map(String.init) ?? ""
        let server = query["server"].map(String.init) ?? ""
        let rows = try await store.jobs(
            tenantID: context.identity.tenantID, serverID: server.isEmpty ? nil : server, status: status, appID: app.isEmpty ? nil : app,
            limit: 200
        ).map { ConsolePages.JobRow($0.info) }
        let options =
            [ConsolePages.Option(value: "", label: "any", selected: status == nil)]
            + Wire.Job.Status.allCases.map { ConsolePages.Option(value: $0.rawValue, label: $0.rawValue, selected: $0 == status) }
        var chrome = chrome(context)
        chrome.navJobs = true
        let page = ConsolePages.Jobs(
            chrome: chrome, statusOptions: options, app: app, server: server, filtered: status != nil || !app.isEmpty || !server.isEmpty,
            jobs: rows, hasJobs: !rows.isEmpty)
        return try render(page, "jobs")
    }

    /// How much of a log the job page shows; the rest is a download away.
    static let logTailBytes: Int64 = 64 * 1024

    @Sendable func jobPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        guard let job = try await ownJob(context) else { return try notFound(context, what: "job") }
        let info = try jobs.detailedInfo(job)
        let tail = try await store.logSlice(
            jobID: job.id, tenantID: job.tenantID, from: max(0, job.logBytes - Self.logTailBytes), limit: Int(Self.logTailBytes))
        let log = String(decoding: tail, as: UTF8.self)
        var facts: [ConsolePages.Fact] = [
            .init(name: "Kind", value: info.kind), .init(name: "Server", value: info.serverID),
            .init(name: "Attempt", value: "\(info.attempt) of \(info.maxAttempts)"),
            .init(name: "Exit code", value: info.exitCode.map(String.init) ?? "–"),
            .init(name: "Requested by", value: info.requestedBy), .init(name: "Created", value: ConsolePages.ago(info.createdAt)),
        ]
        if let started = info.startedAt { facts.append(.init(name: "Started", value: ConsolePages.ago(started))) }
        if let finished = info.finishedAt, let started = info.startedAt {
            facts.append(.init(name: "Took", value: String(format: "%.1f s", finished.timeIntervalSince(started))))
        }
        if let next = info.nextRunAt { facts.append(.init(name: "Next run", value: next.formatted(date: .omitted, time: .standard))) }
        if let error = info.error { facts.append(.init(name: "Error", value: error)) }
        for (name, value) in info.inputs.sorted(by: { $0.key < $1.key }) { facts.append(.init(name: "Input \(name)", value: value)) }
        let steps = info.steps.enumerated().map { index, step in
            let result = info.stepResults.first { $0.index == index }
            return ConsolePages.StepRow(
                number: index + 1, summary: step.summary,
                result: result.map { "exit \($0.exitCode)" + ($0.error.map { ": \($0)" } ?? "") } ?? "–")
        }
        let outputs = info.outputs.sorted { $0.key < $1.key }.map { ConsolePages.Fact(name: $0.key, value: $0.value) }
        let shown = Int64(tail.count)
        let mayRun = context.identity.allows(.runJobs)
        let page = ConsolePages.Job(
            title: "Job \(info.id.prefix(8))", chrome: chrome(context), csrf: context.session.csrfToken, id: info.id,
            heading: [info.appID, info.kind].compactMap { $0 }.joined(separator: " "), status: info.status.rawValue, facts: facts,
            outputs: outputs, hasOutputs: !outputs.isEmpty, steps: steps, hasSteps: !steps.isEmpty,
            canCancel: mayRun && !info.status.isFinal,
            canRetry: mayRun && info.status.isFinal && info.status != .succeeded && info.steps.isEmpty, log: log, offset: job.logBytes,
            live: !info.status.isFinal, truncated: shown < job.logBytes, shownBytes: Self.bytes(shown), totalBytes: Self.bytes(job.logBytes)
        )
        return try render(page, "job")
    }

    @Sendable func jobLog(request: Request, context: ConsoleRequestContext) async throws -> Response {
        guard let job = try await ownJob(context) else { return try notFound(context, what: "job") }
        let jobs = self.jobs
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; charset=utf-8", .contentDisposition: "attachment; filename=\"job-\(job.id).log\""],
            body: .init { writer in
                try await jobs.readLog(job, from: 0) { slice in try await writer.write(ByteBuffer(bytes: slice)) }
                try await writer.finish(nil)
            })
    }

    /// The job's log from `?offset=` on, live, for the job page's EventSource.
    @Sendable func followJob(request: Request, context: ConsoleRequestContext) async throws -> Response {
        guard let job = try await ownJob(context) else { return try notFound(context, what: "job") }
        let offset = request.headers[.lastEventID].flatMap { Int64($0) } ?? request.uri.queryParameters["offset"].flatMap { Int64($0) } ?? 0
        return JobController(jobs: jobs).follow(job, from: max(0, offset))
    }

    @Sendable func cancelJob(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let id = try context.parameters.require("id")
        do {
            _ = try await jobs.cancel(id, by: context.requester)
        } catch let error as APIError {
            return try renderError(Int(error.status.code), "The job was not cancelled", error.detail, chrome: chrome(context))
        }
        return Self.redirect(to: "/jobs/\(id)")
    }

    @Sendable func retryJob(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        guard let job = try await ownJob(context) else { return try notFound(context, what: "job") }
        do {
            _ = try await jobs.retry(job, inputs: [:], by: context.requester)
        } catch let error as APIError {
            let details = (error.errors ?? []).map { "\($0.field): \($0.message)" }.joined(separator: "; ")
            return try renderError(
                Int(error.status.code), "The job was not queued again",
                [error.detail, details].filter { !$0.isEmpty }.joined(separator: " — "), chrome: chrome(context))
        }
        return Self.redirect(to: "/jobs/\(job.id)")
    }

    func ownJob(_ context: ConsoleRequestContext) async throws -> JobRecord? {
        let id = try context.parameters.require("id")
        return try await store.job(id: id, tenantID: context.identity.tenantID)
    }

    static func bytes(_ count: Int64) -> String {
        count < 1024
            ? "\(count) B"
            : count < 1 << 20 ? String(format: "%.1f KiB", Double(count) / 1024) : String(format: "%.1f MiB", Double(count) / 1_048_576)
    }
}
