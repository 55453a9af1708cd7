import Foundation
import HTTPTypes
import Hummingbird
import StewardCore

/// The rollouts and schedules pages: lists, a rollout's servers with their jobs, cancel; schedules
/// turned on and off and deleted. Rollouts and schedules are made through the API and the CLI, and
/// nightly backups from an installation's page.
extension ConsoleController {
    @Sendable func rolloutsPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let tenantID = context.identity.tenantID
        var rows: [ConsolePages.RolloutRow] = []
        for rollout in try await store.rollouts(tenantID: tenantID, limit: 50) {
            rows.append(.init(rollout.wire(targets: try await store.rolloutTargets(rolloutID: rollout.id, tenantID: tenantID))))
        }
        var chrome = chrome(context)
        chrome.navRollouts = true
        return try render(ConsolePages.Rollouts(chrome: chrome, rollouts: rows, hasRollouts: !rows.isEmpty), "rollouts")
    }

    @Sendable func rolloutPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        try await renderRollout(try context.parameters.require("id"), context: context, notice: nil)
    }

    @Sendable func cancelRollout(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let id = try context.parameters.require("id")
        do {
            _ = try await rollouts.cancel(id, by: context.requester)
            return try await renderRollout(id, context: context, notice: "The rollout is cancelled.")
        } catch let error as APIError where error.status == .notFound {
            return try notFound(context, what: "rollout")
        } catch let error as APIError where error.status == .conflict {
            return try await renderRollout(id, context: context, notice: error.detail, status: .conflict)
        }
    }

    func renderRollout(
        _ id: String, context: ConsoleRequestContext, notice: String?, status: HTTPResponse.Status = .ok
    ) async throws
        -> Response
    {
        let tenantID = context.identity.tenantID
        guard let info = try? await rollouts.info(id, tenantID: tenantID) else { return try notFound(context, what: "rollout") }
        let names = Dictionary(
            try await store.servers(tenantID: tenantID).map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        var chrome = chrome(context)
        chrome.navRollouts = true
        let page = ConsolePages.Rollout(
            title: "Rollout \(info.id.prefix(8))", chrome: chrome, rollout: .init(info),
            limits:
                "batches of \(info.batchSize), \(info.pauseSeconds) s apart; at most \(info.maxFailures) failed servers, then \(info.onFailure)",
            targets: info.servers.map {
                .init(
                    serverID: $0.serverID, server: names[$0.serverID] ?? $0.serverID, batch: $0.batch < 0 ? "–" : String($0.batch + 1),
                    status: $0.status, jobID: $0.jobID, error: $0.error)
            }, running: info.status == "running", csrf: context.session.csrfToken, notice: notice)
        return try render(page, "rollout", status: status)
    }

    @Sendable func schedulesPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        try await renderSchedules(context, notice: nil)
    }

    /// `POST /schedules/{id}/toggle` and `/delete`.
    @Sendable func scheduleAction(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let id = try context.parameters.require("id")
        do {
            switch try context.parameters.require("action") {
            case "toggle":
                guard let schedule = try await store.schedule(id: id, tenantID: context.identity.tenantID) else {
                    return try notFound(context, what: "schedule")
                }
                let updated = try await schedules.update(id, .init(enabled: !schedule.enabled), by: context.requester)
                return try await renderSchedules(context, notice: "\(updated.name) is \(updated.enabled ? "on" : "off").")
            case "delete":
                try await schedules.delete(id, by: context.requester)
                return try await renderSchedules(context, notice: "The schedule is deleted.")
            default:
                return try notFound(context, what: "schedule action")
            }
        } catch let error as APIError where error.status == .notFound {
            return try notFound(context, what: "schedule")
        }
    }

    /// `POST /installations/{id}/schedule-backups`: a backup every day at the hour given, in the
    /// time zone given.
    @Sendable func scheduleBackups(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(BackupScheduleForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let id = try context.parameters.require("id")
        let hour = Int(form.hour ?? "") ?? -1
        guard (0...23).contains(hour) else {
            return try await renderInstallation(id, context: context, error: "Give the hour as 0 to 23.", status: .unprocessableContent)
        }
        do {
            _ = try await schedules.create(
                .init(
                    name: "nightly backup of \(id.prefix(8))", cron: "0 \(hour) * * *", timeZone: form.timeZone ?? "UTC",
                    action: .init(installationID: id, job: "backup")), by: context.requester)
            return Self.redirect(to: "/schedules")
        } catch let error as APIError where error.status == .unprocessableContent {
            let message = error.errors?.map { "\($0.field): \($0.message)" }.joined(separator: " ") ?? error.detail
            return try await renderInstallation(id, context: context, error: message, status: .unprocessableContent)
        }
    }

    struct BackupScheduleForm: Decodable {
        var hour: String?
        var timeZone: String?
        var _csrf: String?

        enum CodingKeys: String, CodingKey {
            case hour, _csrf
            case timeZone = "time_zone"
        }
    }

    func renderSchedules(_ context: ConsoleRequestContext, notice: String?) async throws -> Response {
        let rows = try await store.schedules(tenantID: context.identity.tenantID).map { schedule in
            let outcome = schedule.lastOutcome
            return ConsolePages.ScheduleRow(
                id: schedule.id, name: schedule.name, cron: schedule.cron, timeZone: schedule.timeZone, enabled: schedule.enabled,
                next: schedule.enabled ? schedule.nextRunAt?.formatted(.iso8601) ?? "no time ahead" : "off",
                last: outcome.map { outcome in
                    let when = ConsolePages.ago(outcome.at)
                    if let error = outcome.error { return "\(when): \(error)" }
                    return outcome.skipped == true ? "\(when): skipped (no hub ran at that time)" : when
                }, lastFailed: outcome?.error != nil, lastJobID: outcome?.jobID, lastRolloutID: outcome?.rolloutID,
                csrf: context.session.csrfToken)
        }
        var chrome = chrome(context)
        chrome.navSchedules = true
        return try render(ConsolePages.Schedules(chrome: chrome, schedules: rows, hasSchedules: !rows.isEmpty, notice: notice), "schedules")
    }
}
