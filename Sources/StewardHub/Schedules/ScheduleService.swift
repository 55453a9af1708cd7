import Foundation
import HTTPTypes
import StewardCore

/// Schedules for the API and the console: checked (the expression, its time zone, an action that
/// names what exists), stored with the action sealed, and run by the ``ScheduleRunner`` as the
/// operator who made them.
struct ScheduleService: Sendable {
    let jobs: JobService
    let installations: InstallationService
    let rollouts: RolloutService

    var store: Store { jobs.store }
    var clock: HubClock { jobs.clock }

    static let installationJobs = ["backup", "health", "upgrade"]
    static let maxSchedules = 500

    func create(_ request: Wire.Schedules.Request, by requester: Requester) async throws -> ScheduleRecord {
        let tenantID = requester.identity.tenantID
        var problems: [Wire.FieldError] = []
        let cron = Self.cron(request.cron, problems: &problems)
        let timeZone = Self.timeZone(request.timeZone ?? "UTC", problems: &problems)
        let missed = Self.missed(request.missed, problems: &problems)
        let name = (request.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if name.count > 100 { problems.append(.init(field: "name", message: "must be at most 100 characters")) }
        problems += try await check(request.action, tenantID: tenantID)
        if try await store.schedules(tenantID: tenantID).count >= Self.maxSchedules {
            problems.append(.init(field: "cron", message: "a tenant has at most \(Self.maxSchedules) schedules"))
        }
        guard problems.isEmpty, let cron, let timeZone else { throw APIError.invalid(problems) }
        let enabled = request.enabled ?? true
        let now = clock.now
        let schedule = ScheduleRecord(
            id: UUID().uuidString.lowercased(), tenantID: tenantID, name: name.isEmpty ? Self.describe(request.action) : name,
            cron: cron.description, timeZone: timeZone.identifier, missed: missed, enabled: enabled,
            sealedAction: try SecretBox(key: jobs.keys.masterKey).seal(encoding: request.action), shownAction: shown(request.action),
            nextRunAt: enabled ? cron.next(after: now, in: timeZone) : nil, requester: DeferredRequester(requester), createdAt: now)
        try await store.createSchedule(
            schedule,
            audit: requester.audit(
                "schedule.create", target: "schedule:\(schedule.id)", detail: ["cron": schedule.cron, "time_zone": schedule.timeZone]))
        return schedule
    }

    func update(_ id: String, _ patch: Wire.Schedules.Patch, by requester: Requester) async throws -> ScheduleRecord {
        guard var schedule = try await store.schedule(id: id, tenantID: requester.identity.tenantID) else {
            throw APIError.notFound("schedule", id: id)
        }
        var problems: [Wire.FieldError] = []
        let cron = Self.cron(patch.cron ?? schedule.cron, problems: &problems)
        let timeZone = Self.timeZone(patch.timeZone ?? schedule.timeZone, problems: &problems)
        if let missed = patch.missed { schedule.missed = Self.missed(missed, problems: &problems) }
        if let name = patch.name?.trimmingCharacters(in: .whitespacesAndNewlines) {
            if name.isEmpty || name.count > 100 { problems.append(.init(field: "name", message: "must be 1 to 100 characters")) }
            schedule.name = name
        }
        guard problems.isEmpty, let cron, let timeZone else { throw APIError.invalid(problems) }
        schedule.cron = cron.description
        schedule.timeZone = timeZone.identifier
        schedule.enabled = patch.enabled ?? schedule.enabled
        schedule.updatedAt = clock.now
        schedule.nextRunAt = schedule.enabled ? cron.next(after: schedule.updatedAt, in: timeZone) : nil
        guard try await store.updateSchedule(schedule, audit: requester.audit("schedule.update", target: "schedule:\(id)")) else {
            throw APIError.notFound("schedule", id: id)
        }
        return schedule
    }

    func delete(_ id: String, by requester: Requester) async throws {
        guard
            try await store.deleteSchedule(
                id: id, tenantID: requester.identity.tenantID, at: clock.now,
                audit: requester.audit("schedule.delete", target: "schedule:\(id)"))
        else { throw APIError.notFound("schedule", id: id) }
    }

    // MARK: Running

    /// Does what the schedule says, as the operator who made it: an installation's job, a step job
    /// or a rollout. A fire time that passed while no hub ran is skipped unless the schedule says
    /// `run_once`. Failures to queue are the outcome, not errors.
    func run(_ schedule: ScheduleRecord, missed: Bool) async -> Wire.Schedules.Outcome {
        let now = clock.now
        if missed, schedule.missed == .skip { return .init(at: now, skipped: true) }
        let requester = schedule.requester.requester(tenantID: schedule.tenantID, via: "schedule:\(schedule.id)")
        do {
            let action = try SecretBox(key: jobs.keys.masterKey).open(schedule.sealedAction, as: Wire.Schedules.Action.self)
            if let request = action.rollout {
                return .init(at: now, rolloutID: try await rollouts.create(request, by: requester).id)
            }
            if let installationID = action.installationID {
                let installation = try await installations.installation(installationID, tenantID: schedule.tenantID)
                let job: JobRecord? =
                    switch action.job {
                    case "backup": try await installations.backup(installationID, kind: .scheduled, by: requester)
                    case "upgrade": try await installations.upgrade(installationID, by: requester)
                    default: try await installations.checkHealth(installation, by: requester)
                    }
                return .init(at: now, jobID: job?.id, error: job == nil ? "a health check is waiting or running already" : nil)
            }
            let job = try await jobs.queueSteps(
                .init(serverID: action.serverID ?? "", steps: action.steps ?? [], timeoutSeconds: action.timeoutSeconds), by: requester)
            return .init(at: now, jobID: job.id)
        } catch let error as APIError {
            return .init(at: now, error: error.errors?.map { "\($0.field): \($0.message)" }.joined(separator: "; ") ?? error.detail)
        } catch {
            return .init(at: now, error: "\(error)")
        }
    }

    // MARK: Checks

    /// Problems of the action, under `action.`: exactly one kind, naming what exists in the tenant.
    private func check(_ action: Wire.Schedules.Action, tenantID: String) async throws -> [Wire.FieldError] {
        let kinds = [action.installationID != nil, action.serverID != nil || action.steps != nil, action.rollout != nil].filter { $0 }.count
        guard kinds == 1 else {
            return [
                .init(
                    field: "action",
                    message: "give one of: installation_id and job; server_id and steps; a rollout (action, selector, …)")
            ]
        }
        if let rollout = action.rollout {
            return rollouts.problems(of: rollout).map { .init(field: "action.\($0.field)", message: $0.message) }
        }
        if let installationID = action.installationID {
            var problems: [Wire.FieldError] = []
            if try await store.installation(id: installationID, tenantID: tenantID) == nil {
                problems.append(.init(field: "action.installation_id", message: "no installation with id \(installationID)"))
            }
            if !Self.installationJobs.contains(action.job ?? "") {
                problems.append(.init(field: "action.job", message: "must be backup, health or upgrade"))
            }
            return problems
        }
        var problems: [Wire.FieldError] = []
        if let serverID = action.serverID {
            if try await store.server(id: serverID, tenantID: tenantID) == nil {
                problems.append(.init(field: "action.server_id", message: "no server with id \(serverID)"))
            }
        } else {
            problems.append(.init(field: "action.server_id", message: "is required with steps"))
        }
        let steps = action.steps ?? []
        if steps.isEmpty || steps.count > StepCheck.maxSteps {
            problems.append(.init(field: "action.steps", message: "give 1 to \(StepCheck.maxSteps) steps"))
        }
        for (index, step) in steps.enumerated() {
            problems += StepCheck.problems(step, index: index).map { .init(field: "action.\($0.field)", message: $0.message) }
            if step.type == .backup || step.type == .restore {
                problems.append(.init(field: "action.steps[\(index)].type", message: "backups and restores belong to installations"))
            }
        }
        return problems
    }

    /// The action as it may be shown: step contents and `env.set` values masked, password inputs too.
    private func shown(_ action: Wire.Schedules.Action) -> Wire.Schedules.Action {
        var shown = action
        shown.steps = action.steps?.map(\.masked)
        if var rollout = action.rollout {
            rollout.steps = rollout.steps?.map(\.masked)
            let manifest = rollout.appID.flatMap { jobs.catalog.app(id: $0)?.manifest }
            rollout.inputs = rollout.inputs.map { inputs in
                Dictionary(
                    uniqueKeysWithValues: inputs.map { name, value in
                        (name, manifest?.input(named: name)?.type == .password ? .text(SecretMasker.mask) : value)
                    })
            }
            shown.rollout = rollout
        }
        return shown
    }

    static func describe(_ action: Wire.Schedules.Action) -> String {
        if let rollout = action.rollout { return "\(rollout.action) \(rollout.appID ?? "steps") rollout" }
        if action.installationID != nil { return "\(action.job ?? "job") of an installation" }
        return "step job"
    }

    private static func cron(_ text: String, problems: inout [Wire.FieldError]) -> CronExpression? {
        do throws(CronExpression.Problem) {
            return try CronExpression(text)
        } catch {
            problems.append(.init(field: "cron", message: error.description))
            return nil
        }
    }

    private static func timeZone(_ identifier: String, problems: inout [Wire.FieldError]) -> TimeZone? {
        guard identifier.count <= 64, let zone = TimeZone(identifier: identifier) else {
            problems.append(.init(field: "time_zone", message: "must be an IANA time zone such as UTC or Europe/Berlin"))
            return nil
        }
        return zone
    }

    private static func missed(_ text: String?, problems: inout [Wire.FieldError]) -> ScheduleRecord.Missed {
        guard let text else { return .skip }
        guard let missed = ScheduleRecord.Missed(rawValue: text) else {
            problems.append(.init(field: "missed", message: "must be skip or run_once"))
            return .skip
        }
        return missed
    }
}
