import Foundation
import HTTPTypes
import StewardCore

/// Rollouts for the API, the console and schedules: the same install, upgrade or step job on every
/// server a label selector picks, a batch at a time. ``advance(_:)`` moves one on (the
/// ``RolloutRunner`` calls it every few seconds); each step of it is a conditional update, so of
/// several hubs one queues each batch and each server's job.
struct RolloutService: Sendable {
    let jobs: JobService
    let installations: InstallationService

    var store: Store { jobs.store }
    var clock: HubClock { jobs.clock }

    /// A target a hub took to queue its job and never finished with (it stopped meanwhile) fails after this long.
    static let queueingTimeout: TimeInterval = 120

    // MARK: Making one

    /// Checks the request, picks the servers (by name), and queues the first batch at once.
    func create(_ request: Wire.Rollouts.Request, by requester: Requester, audited: Bool = true) async throws -> RolloutRecord {
        let tenantID = requester.identity.tenantID
        let problems = problems(of: request)
        guard problems.isEmpty, let action = RolloutRecord.Action(rawValue: request.action) else { throw APIError.invalid(problems) }
        let batchSize = request.batchSize ?? 1
        let maxFailures = request.maxFailures ?? 0
        let pause = request.pauseSeconds ?? 0
        let servers = try await store.servers(tenantID: tenantID).filter { server in
            request.selector.labels.allSatisfy { server.labels[$0.key] == $0.value }
        }
        guard !servers.isEmpty else {
            throw APIError.invalid([.init(field: "selector.labels", message: "no server has all of these labels")])
        }
        let rollout = RolloutRecord(
            id: UUID().uuidString.lowercased(), tenantID: tenantID, action: action, appID: request.appID,
            sealedRequest: try SecretBox(key: jobs.keys.masterKey).seal(encoding: request), selector: request.selector.labels,
            batchSize: batchSize, maxFailures: maxFailures, pauseSeconds: pause, continueOnFailure: request.onFailure == "continue",
            requester: DeferredRequester(requester), createdAt: clock.now)
        var targets: [RolloutTargetRecord] = []
        var position = 0
        for server in servers {
            var target = RolloutTargetRecord(
                rolloutID: rollout.id, tenantID: tenantID, serverID: server.id, position: targets.count, batch: -1)
            // An upgrade leaves out the servers that do not have the app: nothing to do there.
            if action == .upgrade, let appID = request.appID,
                try await store.installation(serverID: server.id, appID: appID, tenantID: tenantID) == nil
            {
                target.status = .skipped
                target.error = "\(appID) is not installed here"
            } else {
                target.batch = position / batchSize
                position += 1
            }
            targets.append(target)
        }
        try await store.createRollout(
            rollout, targets: targets,
            audit: audited
                ? requester.audit(
                    "rollout.create", target: "rollout:\(rollout.id)",
                    detail: ["action": action.rawValue, "app": request.appID ?? "", "servers": String(servers.count)]) : nil)
        try await advance(rollout)
        return try await store.rollout(id: rollout.id, tenantID: tenantID) ?? rollout
    }

    /// Every problem of the request itself, named by field (which servers it picks is checked when
    /// it is made): bounds, the selector, an app that exists, inputs that pass, steps of a sound shape.
    func problems(of request: Wire.Rollouts.Request) -> [Wire.FieldError] {
        var problems: [Wire.FieldError] = []
        let action = RolloutRecord.Action(rawValue: request.action)
        if action == nil { problems.append(.init(field: "action", message: "must be install, upgrade or steps")) }
        if !(1...1000).contains(request.batchSize ?? 1) { problems.append(.init(field: "batch_size", message: "must be 1 to 1000")) }
        if !(0...10_000).contains(request.maxFailures ?? 0) { problems.append(.init(field: "max_failures", message: "must be 0 to 10000")) }
        if !(0...86_400).contains(request.pauseSeconds ?? 0) {
            problems.append(.init(field: "pause_seconds", message: "must be 0 to 86400"))
        }
        if let onFailure = request.onFailure, !["stop", "continue"].contains(onFailure) {
            problems.append(.init(field: "on_failure", message: "must be stop or continue"))
        }
        if request.selector.labels.isEmpty {
            problems.append(
                .init(field: "selector.labels", message: "give at least one label: a rollout never picks every server by default"))
        }
        problems += Labels.problems(request.selector.labels, field: "selector.labels")
        switch action {
        case .install, .upgrade:
            guard let appID = request.appID, let app = jobs.catalog.app(id: appID) else {
                problems.append(
                    .init(field: "app_id", message: request.appID.map { "no app with id \($0) in the catalog" } ?? "is required"))
                break
            }
            if action == .install, case .failure(let failure) = InputValidator.validate(app.manifest, given: request.inputs ?? [:]) {
                problems += failure.errors.map { .init(field: "inputs.\($0.field)", message: $0.message) }
            }
            if action == .upgrade, request.inputs != nil {
                problems.append(.init(field: "inputs", message: "an upgrade runs with each installation's own inputs"))
            }
        case .steps:
            let steps = request.steps ?? []
            if steps.isEmpty || steps.count > StepCheck.maxSteps {
                problems.append(.init(field: "steps", message: "give 1 to \(StepCheck.maxSteps) steps"))
            }
            for (index, step) in steps.enumerated() {
                problems += StepCheck.problems(step, index: index)
                if step.type == .backup || step.type == .restore {
                    problems.append(.init(field: "steps[\(index)].type", message: "backups and restores belong to installations"))
                }
            }
        case nil:
            break
        }
        return problems
    }

    // MARK: Reading and cancelling

    func info(_ id: String, tenantID: String) async throws -> Wire.Rollouts.Info {
        guard let rollout = try await store.rollout(id: id, tenantID: tenantID) else { throw APIError.notFound("rollout", id: id) }
        return rollout.wire(targets: try await store.rolloutTargets(rolloutID: id, tenantID: tenantID))
    }

    /// Stops a running rollout: servers not started are `cancelled`, and so are their queued or
    /// running jobs. 409 when it has ended.
    func cancel(_ id: String, by requester: Requester) async throws -> Wire.Rollouts.Info {
        let tenantID = requester.identity.tenantID
        guard try await store.rollout(id: id, tenantID: tenantID) != nil else { throw APIError.notFound("rollout", id: id) }
        guard
            try await store.finishRollout(
                id: id, tenantID: tenantID, status: .cancelled, at: clock.now,
                audit: requester.audit("rollout.cancel", target: "rollout:\(id)"))
        else { throw APIError(.conflict, code: "rollout_finished", detail: "rollout \(id) has already ended") }
        for target in try await store.rolloutTargets(rolloutID: id, tenantID: tenantID) where [.queued, .running].contains(target.status) {
            if let jobID = target.jobID { _ = try? await jobs.cancel(jobID, by: requester) }
            try await store.updateTarget(rolloutID: id, serverID: target.serverID, jobID: nil, status: .cancelled, error: nil)
        }
        return try await info(id, tenantID: tenantID)
    }

    // MARK: Moving on

    /// Brings the rollout's servers up to date with their jobs, and when its current batch is over:
    /// ends it (all done, or too many failures with `on_failure: stop`) or, after the pause, queues
    /// the next batch.
    func advance(_ rollout: RolloutRecord) async throws {
        let now = clock.now
        var targets = try await store.rolloutTargets(rolloutID: rollout.id, tenantID: rollout.tenantID)
        for index in targets.indices {
            if let update = try await refreshed(targets[index], now: now) {
                try await store.updateTarget(
                    rolloutID: rollout.id, serverID: targets[index].serverID, jobID: nil, status: update.status, error: update.error)
                targets[index].status = update.status
            }
        }
        guard rollout.status == .running else { return }
        let current = targets.filter { $0.batch == rollout.currentBatch }
        guard current.allSatisfy(\.status.isFinal) else { return }
        let failures = targets.filter { $0.status == .failed }.count
        let exceeded = failures > rollout.maxFailures
        let remaining = targets.contains { $0.batch > rollout.currentBatch && $0.status == .pending }
        if !remaining || (exceeded && !rollout.continueOnFailure) {
            _ = try await store.finishRollout(id: rollout.id, tenantID: rollout.tenantID, status: exceeded ? .failed : .succeeded, at: now)
            return
        }
        if rollout.currentBatch >= 0, rollout.pauseSeconds > 0 {
            guard let done = rollout.batchDoneAt else {
                return try await store.markBatchDone(rolloutID: rollout.id, batch: rollout.currentBatch, at: now)
            }
            guard now >= done.addingTimeInterval(TimeInterval(rollout.pauseSeconds)) else { return }
        }
        let next = rollout.currentBatch + 1
        guard try await store.claimNextBatch(rolloutID: rollout.id, from: rollout.currentBatch) else { return }
        let request = try SecretBox(key: jobs.keys.masterKey).open(rollout.sealedRequest, as: Wire.Rollouts.Request.self)
        let requester = rollout.requester.requester(tenantID: rollout.tenantID, via: "rollout:\(rollout.id)")
        for target in targets where target.batch == next && target.status == .pending {
            guard try await store.claimTarget(rolloutID: rollout.id, serverID: target.serverID, at: now) else { continue }
            do {
                let job = try await queue(request, on: target.serverID, by: requester)
                try await store.updateTarget(rolloutID: rollout.id, serverID: target.serverID, jobID: job.id, status: .queued, error: nil)
            } catch let error as APIError {
                try await store.updateTarget(
                    rolloutID: rollout.id, serverID: target.serverID, jobID: nil, status: .failed,
                    error: error.errors?.map { "\($0.field): \($0.message)" }.joined(separator: "; ") ?? error.detail)
            }
        }
    }

    /// What a target's job says of it now; `nil` when nothing changed.
    private func refreshed(_ target: RolloutTargetRecord, now: Date) async throws -> (status: RolloutTargetRecord.Status, error: String?)? {
        switch target.status {
        case .queued, .running:
            guard let jobID = target.jobID, let job = try await store.job(id: jobID) else {
                return (.failed, "its job is gone")
            }
            let status: RolloutTargetRecord.Status =
                switch job.status {
                case .succeeded: .succeeded
                case .running: .running
                case .queued, .retrying: .queued
                case .failed, .needsAttention, .timedOut, .dead, .cancelled: .failed
                }
            return status == target.status ? nil : (status, status == .failed ? job.error ?? "the job ended \(job.status.rawValue)" : nil)
        case .queueing:
            guard let claimed = target.claimedAt, now.timeIntervalSince(claimed) > Self.queueingTimeout else { return nil }
            return (.failed, "the hub that was queueing this server's job stopped before it was queued")
        case .pending, .succeeded, .failed, .skipped, .cancelled:
            return nil
        }
    }

    /// Queues the rollout's job on one server, as the operator who asked for the rollout.
    private func queue(_ request: Wire.Rollouts.Request, on serverID: String, by requester: Requester) async throws -> JobRecord {
        switch RolloutRecord.Action(rawValue: request.action) {
        case .install:
            return try await jobs.queueApp(
                .install, appID: request.appID ?? "", body: .init(serverID: serverID, inputs: request.inputs ?? [:]), by: requester)
        case .upgrade:
            let appID = request.appID ?? ""
            guard let installation = try await store.installation(serverID: serverID, appID: appID, tenantID: requester.identity.tenantID)
            else { throw APIError(.conflict, code: "not_installed", detail: "\(appID) is not installed here") }
            return try await installations.upgrade(installation.id, by: requester)
        case .steps:
            return try await jobs.queueSteps(
                .init(serverID: serverID, steps: request.steps ?? [], timeoutSeconds: request.timeoutSeconds), by: requester)
        case nil:
            throw APIError(.conflict, code: "invalid_rollout", detail: "unknown action \(request.action)")
        }
    }
}
