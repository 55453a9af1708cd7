import Crypto
import Foundation
import HTTPTypes
import Logging
import StewardCore

/// The job domain: queueing (apps, `requires` chains, step jobs), cancel and retry, what agents
/// report (logs, results, the attempts they hold), leases, and reading and following logs. The
/// operator API, the console, the agent routes and the sweeper all come here; the state machine is
/// ``JobLifecycle`` and the SQL is ``Store``.
public struct JobService: Sendable {
    /// The rules' numbers.
    public struct Settings: Sendable {
        /// Multiplies every retry delay; tests use e.g. 0.001.
        public var backoffScale: Double = 1
        /// How long a running attempt's lease lasts without news from the agent that runs it.
        public var leaseWindow: TimeInterval = 50
        /// A job's log is cut at this many bytes; a line at the end says how much was dropped.
        public var maxLogBytes: Int64 = 64 << 20

        public init(backoffScale: Double = 1, leaseWindow: TimeInterval = 50, maxLogBytes: Int64 = 64 << 20) {
            self.backoffScale = backoffScale
            self.leaseWindow = leaseWindow
            self.maxLogBytes = maxLogBytes
        }
    }

    /// What a follower of a log is told, in order.
    public enum LogUpdate: Sendable {
        /// New log bytes; `offset` is where the log stands after them.
        case text([UInt8], offset: Int64)
        /// Nothing new for a while.
        case idle
        /// The job ended; nothing more will come.
        case end(JobRecord)
    }

    let store: Store
    let catalog: AppCatalog
    let keys: HubKeys
    let events: EventBus
    let clock: HubClock
    let settings: Settings
    let logger: Logger
    /// Matches the lines attempts log against the tenant's log rules.
    let logScanner: LogScanner

    /// Keeps the versions of files that attempts report, for config history.
    var configRecorder: ConfigRecorder {
        ConfigRecorder(store: store, catalog: catalog, keys: keys, clock: clock, logger: logger)
    }

    /// Logs are read and sent in slices of at most this many bytes.
    public static let logSliceBytes = 256 << 10

    // MARK: Queueing

    /// Queues an install or uninstall (with the chain of what an install requires). Throws
    /// ``APIError`` with every field error, or 409 when the server cannot run it.
    func queueApp(_ role: ScriptRole, appID: String, body: Wire.Job.AppRequest, by requester: Requester) async throws -> JobRecord {
        guard let app = catalog.app(id: appID) else { throw APIError.notFound("app", id: appID) }
        let manifest = app.manifest
        guard manifest.scripts.path(for: role) != nil else {
            throw APIError(.conflict, code: "no_script", detail: "\(appID) has no \(role.rawValue) script")
        }
        let server = try await server(body.serverID, tenantID: requester.identity.tenantID)
        // What is installed keeps its inputs: an uninstall runs with them (and any given here).
        let installed = try await store.installation(serverID: server.id, appID: appID, tenantID: server.tenantID)
        let validated: InputValidator.Validated
        if role == .uninstall, let installed {
            validated = try inputs(of: installed, for: manifest, changing: body.inputs)
        } else {
            switch InputValidator.validate(manifest, given: body.inputs) {
            case .success(let values): validated = values
            case .failure(let failure): throw APIError.invalid(failure.errors)
            }
        }
        if let reason = Self.incompatibility(manifest, facts: server.facts) {
            throw APIError(.conflict, code: "os_not_supported", detail: "\(server.name) cannot run \(appID): \(reason)")
        }
        // An install first queues the installs of what the app requires and the server lacks, each
        // waiting for the one before; the app's own job waits for the last of them.
        var chain: [JobRecord] = []
        var scripts: [String: Data] = [:]
        if role == .install {
            let present = try await store.presentApps(serverID: server.id, tenantID: server.tenantID)
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
                        try appJob(
                            dependency, .install, values, server: server, requester: requester, after: chain.last?.id, scripts: &scripts))
                case .failure(let failure):
                    throw APIError.invalid(
                        failure.errors.map {
                            .init(field: "requires.\(dependencyID).\($0.field)", message: "\($0.message); install \(dependencyID) first")
                        })
                }
            }
        }
        let job = try appJob(app, role, validated, server: server, requester: requester, after: chain.last?.id, scripts: &scripts)
        chain.append(job)
        // Each install makes the app's installation on the server, or joins it; an uninstall removes
        // it when it succeeds. They wait their turn behind another job that holds it.
        var claims: [InstallationClaim] = []
        for index in chain.indices {
            let queued = chain[index]
            guard let queuedApp = queued.appID else { continue }
            let existing =
                queuedApp == appID
                ? installed : try await store.installation(serverID: server.id, appID: queuedApp, tenantID: server.tenantID)
            if role == .uninstall && existing == nil { continue }
            let installation =
                existing
                ?? InstallationRecord(
                    id: UUID().uuidString.lowercased(), tenantID: server.tenantID, serverID: server.id, appID: queuedApp,
                    createdAt: clock.now)
            chain[index].installationID = installation.id
            claims.append(
                .init(
                    installation: installation, isNew: existing == nil, jobID: queued.id,
                    status: role == .install ? .installing : installation.status,
                    pendingSealedSecrets: role == .install ? queued.sealedSecrets : nil, exclusive: false))
        }
        var detail = ["app": appID, "server": server.id, "inputs": validated.values.keys.sorted().joined(separator: ",")]
        if chain.count > 1 { detail["requires"] = chain.dropLast().compactMap(\.appID).joined(separator: ",") }
        let queued = try await store.createJobs(
            chain, scripts: scripts, audit: requester.audit("job.\(role.rawValue)", target: "job:\(job.id)", detail: detail),
            claims: claims)
        for job in queued { await announce(job) }
        return queued[queued.count - 1]
    }

    /// An installation's input values (secrets opened), with `changes`, validated against
    /// `manifest`: an input a new version added gets its default or a generated password, one it
    /// dropped is left out.
    func inputs(
        of installation: InstallationRecord, for manifest: Manifest, changing changes: [String: InputValue]
    ) throws -> InputValidator.Validated {
        var stored = installation.inputs
        if let sealed = installation.sealedSecrets { stored.merge(try SecretBox(key: keys.masterKey).open(sealed)) { _, secret in secret } }
        var given: [String: InputValue] = [:]
        for input in manifest.inputs {
            if let value = stored[input.environmentName] { given[input.name] = .text(value) }
        }
        given.merge(changes) { _, new in new }
        switch InputValidator.validate(manifest, given: given) {
        case .success(let validated): return validated
        case .failure(let failure): throw APIError.invalid(failure.errors.map { .init(field: "inputs.\($0.field)", message: $0.message) })
        }
    }

    /// A job running one of an app's scripts with validated inputs; secret inputs sealed, the
    /// script's bytes fixed now (added to `scripts` by SHA-256).
    private func appJob(
        _ app: CatalogApp, _ role: ScriptRole, _ validated: InputValidator.Validated, server: ServerRecord, requester: Requester,
        after: String?, scripts: inout [String: Data]
    ) throws -> JobRecord {
        let manifest = app.manifest
        let environment = validated.environment
        let secretNames = validated.secretNames.map { $0.uppercased() }.sorted()
        let secrets = environment.filter { secretNames.contains($0.key) }
        let (digest, bytes) = try script(of: app, role: role)
        scripts[digest] = bytes
        var job = JobRecord(
            id: UUID().uuidString.lowercased(), tenantID: requester.identity.tenantID, serverID: server.id, kind: .app(role),
            appID: manifest.id, appVersion: manifest.version, inputs: environment.filter { !secretNames.contains($0.key) },
            sealedSecrets: secrets.isEmpty ? nil : try SecretBox(key: keys.masterKey).seal(secrets),
            secretNames: secretNames, maxAttempts: manifest.retry.maxAttempts, backoffSeconds: manifest.retry.backoffSeconds,
            timeoutSeconds: manifest.timeoutSeconds, requestedBy: requester.identity.email, createdAt: clock.now)
        job.afterJobID = after
        job.scriptSHA256 = digest
        job.secretOutputs = manifest.secretOutputs
        if role == .install { job.release = try release(of: app, scripts: &scripts) }
        return job
    }

    /// The app's version as the catalog has it now, every script fixed (added to `scripts`).
    func release(of app: CatalogApp, scripts: inout [String: Data]) throws -> AppRelease {
        var digests: [String: String] = [:]
        for (role, _) in app.manifest.scripts.all {
            let (digest, bytes) = try script(of: app, role: role)
            scripts[digest] = bytes
            digests[role.rawValue] = digest
        }
        return AppRelease(
            version: app.manifest.version, scripts: digests, backupPaths: app.manifest.backupPaths, configFiles: app.manifest.configFiles)
    }

    /// Queues a job of one step, or a `composite` chain of several, for one server. Step contents are
    /// sealed at rest and masked wherever the job is shown; script steps get their script fixed now.
    func queueSteps(_ body: Wire.Job.StepsRequest, by requester: Requester) async throws -> JobRecord {
        var problems: [Wire.FieldError] = []
        if body.steps.isEmpty || body.steps.count > StepCheck.maxSteps {
            problems.append(.init(field: "steps", message: "give 1 to \(StepCheck.maxSteps) steps"))
        }
        var steps = body.steps
        var scripts: [String: Data] = [:]
        var secretOutputs: Set<String> = []
        for (index, step) in steps.enumerated() {
            problems += StepCheck.problems(step, index: index)
            if step.type == .backup || step.type == .restore {
                // They copy and replace an app's files: only an installation's own jobs have them.
                problems.append(
                    .init(
                        field: "steps[\(index)].type",
                        message: "use POST /api/v1/installations/{id}/backup or /restore for an app's backups"))
            }
            if step.type == .configCheck {
                // It reads an app's files under the rule for its scripts: only the drift check sends it.
                problems.append(
                    .init(field: "steps[\(index)].type", message: "use POST /api/v1/servers/{id}/config/check for a drift check"))
            }
            // The hub fills these in; a client's values are never taken.
            steps[index].script = nil
            steps[index].scriptSHA256 = nil
            steps[index].environment = nil
            steps[index].secretNames = nil
            steps[index].track = nil
            guard step.type == .script, let appID = step.app, let roleText = step.role else { continue }
            guard let app = catalog.app(id: appID) else {
                problems.append(.init(field: "steps[\(index)].app", message: "no app with id \(appID) in the catalog"))
                continue
            }
            guard let role = ScriptRole(rawValue: roleText), app.manifest.scripts.path(for: role) != nil else {
                problems.append(.init(field: "steps[\(index)].role", message: "\(appID) has no \(roleText) script"))
                continue
            }
            switch InputValidator.validate(app.manifest, given: (step.inputs ?? [:]).mapValues { .text($0) }) {
            case .success(let validated):
                // Inputs hidden by `visible_if` are neither passed nor kept: a value given for one
                // (a password, say) must not be stored and shown.
                steps[index].inputs = step.inputs?.filter { validated.values[$0.key] != nil }
                steps[index].environment = validated.environment
                steps[index].secretNames = validated.secretNames.map { $0.uppercased() }.sorted()
                let (digest, bytes) = try script(of: app, role: role)
                scripts[digest] = bytes
                steps[index].scriptSHA256 = digest
                if role == .install || role == .upgrade, !app.manifest.configFiles.isEmpty {
                    steps[index].track = app.manifest.configFiles.map(\.path)
                }
                secretOutputs.formUnion(app.manifest.secretOutputs)
            case .failure(let failure):
                problems += failure.errors.map { .init(field: "steps[\(index)].inputs.\($0.field)", message: $0.message) }
            }
        }
        let timeout = body.timeoutSeconds ?? 600
        if !(1...86_400).contains(timeout) { problems.append(.init(field: "timeout_seconds", message: "must be 1 to 86400")) }
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        let server = try await server(body.serverID, tenantID: requester.identity.tenantID)
        let kind: JobKind = body.steps.count == 1 ? .step(body.steps[0].type) : .composite
        let jobID = UUID().uuidString.lowercased()
        var detail = ["server": server.id, "steps": body.steps.map(\.type.rawValue).joined(separator: ",")]
        // Revealing secret-looking values is an explicit choice, and the audit log says who made it.
        if steps.contains(where: { $0.type == .envRead && $0.reveal == true }) { detail["reveal"] = "true" }
        return try await queuePrepared(
            steps, id: jobID, kind: kind, on: server, requestedBy: requester.identity.email, timeoutSeconds: timeout, scripts: scripts,
            secretOutputs: secretOutputs, audit: requester.audit("job.steps", target: "job:\(jobID)", detail: detail))
    }

    /// Queues steps checked already (by ``queueSteps(_:by:)``, or built by the hub itself: a config
    /// restore, a drift check) as one job of one attempt, the steps sealed.
    func queuePrepared(
        _ steps: [Wire.Job.Step], id: String = UUID().uuidString.lowercased(), kind: JobKind, on server: ServerRecord,
        requestedBy: String, timeoutSeconds: Int, scripts: [String: Data] = [:], secretOutputs: Set<String> = [], audit: AuditEvent?
    ) async throws -> JobRecord {
        var job = JobRecord(
            id: id, tenantID: server.tenantID, serverID: server.id, kind: kind, appID: nil, appVersion: nil, inputs: [:],
            sealedSecrets: nil, secretNames: [], maxAttempts: 1, backoffSeconds: [], timeoutSeconds: timeoutSeconds,
            requestedBy: requestedBy, createdAt: clock.now)
        job.steps = steps.map(\.masked)
        job.exclusive = !steps.allSatisfy(\.type.allowsConcurrency)
        job.sealedSteps = try SecretBox(key: keys.masterKey).seal(encoding: steps)
        job.secretOutputs = secretOutputs.sorted()
        _ = try await store.createJobs([job], scripts: scripts, audit: audit, claims: [])
        await announce(job)
        return job
    }

    /// The SHA-256 (hex) and bytes of an app's script, read from the catalog now.
    func script(of app: CatalogApp, role: ScriptRole) throws -> (String, Data) {
        guard let path = app.manifest.scripts.path(for: role) else {
            throw APIError(.conflict, code: "no_script", detail: "\(app.manifest.id) has no \(role.rawValue) script")
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: app.directory).appendingPathComponent(path))
        return (SHA256.hex(of: bytes), bytes)
    }

    /// The tenant's server named in a request body; a 422 on `server_id` when there is none.
    private func server(_ id: String, tenantID: String) async throws -> ServerRecord {
        guard let server = try await store.server(id: id, tenantID: tenantID) else {
            throw APIError(
                .unprocessableContent, code: "validation_failed", detail: "server_id: no server with id \(id)",
                errors: [.init(field: "server_id", message: "no server with id \(id)")])
        }
        return server
    }

    // MARK: Operators' changes

    /// Cancels a job that has not finished. 409 when it has.
    func cancel(_ id: String, by requester: Requester) async throws -> JobRecord {
        let reason = "cancelled by \(requester.identity.email)"
        let now = clock.now
        guard
            let (job, cancelled) = try await store.updateJob(
                id: id, tenantID: requester.identity.tenantID, audit: requester.audit("job.cancel", target: "job:\(id)"), at: now,
                { job in
                    let changed = JobLifecycle.cancel(&job, reason: reason, now: now)
                    return (changed, changed)
                })
        else { throw APIError.notFound("job", id: id) }
        guard cancelled else {
            throw APIError(.conflict, code: "job_finished", detail: "job \(id) has already finished (\(job.status.rawValue))")
        }
        await announce(job)
        return job
    }

    /// Queues a failed, timed-out, dead, cancelled or needs-attention job again, with the same script
    /// and inputs. Password inputs an operator typed must be given again: the hub erased them when the
    /// job finished. Generated passwords are generated anew.
    func retry(_ job: JobRecord, inputs: [String: InputValue], by requester: Requester) async throws -> JobRecord {
        guard Wire.Job.Status.unsuccessful.contains(job.status) else {
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
            errors.append(.init(field: "inputs.\(input.name)", message: "was erased when the job ended; give it again to retry"))
        }
        guard errors.isEmpty else { throw APIError.invalid(errors) }
        let validated: InputValidator.Validated
        switch InputValidator.validate(manifest, given: given) {
        case .success(let values): validated = values
        case .failure(let failure): throw APIError.invalid(failure.errors)
        }
        let secretNames = Set(validated.secretNames.map { $0.uppercased() })
        let secrets = validated.environment.filter { secretNames.contains($0.key) }
        let sealed = secrets.isEmpty ? nil : try SecretBox(key: keys.masterKey).seal(secrets)
        let attempts = manifest.retry.maxAttempts
        let now = clock.now
        guard
            let (retried, requeued) = try await store.updateJob(
                id: job.id, tenantID: requester.identity.tenantID,
                audit: requester.audit(
                    "job.retry", target: "job:\(job.id)", detail: ["inputs": inputs.keys.sorted().joined(separator: ",")]),
                at: now,
                { job in
                    let changed = JobLifecycle.requeue(&job, attempts: attempts, sealedSecrets: sealed, now: now)
                    return (changed, changed)
                })
        else { throw APIError.notFound("job", id: job.id) }
        guard requeued else {
            throw APIError(.conflict, code: "job_not_retryable", detail: "job \(job.id) is \(retried.status.rawValue) now")
        }
        await announce(retried)
        return retried
    }

    // MARK: What agents report

    /// Takes a heartbeat, sent alone or carried by a long poll: the server is seen now (and back online
    /// if it was not), its facts are kept when they came, and the attempts the agent holds, and only
    /// those, keep their leases. On the agent's first heartbeat after a start, every other attempt the
    /// hub thinks it runs is lost at once and retried by the contract: its previous life died with them.
    func heartbeat(_ request: Wire.Heartbeat.Request, agent: AgentRecord) async throws {
        let now = clock.now
        if request.freshStart {
            let abandoned = Set(request.abandoned)
            let lost = try await store.loseRunningAttempts(
                serverID: agent.serverID, keep: Set(request.running),
                startingRun: request.runID.map { .init(agentID: agent.id, runID: $0) },
                now: now, backoffScale: settings.backoffScale
            ) { job in
                abandoned.contains(.init(jobID: job.id, attempt: job.attempt))
                    ? "the agent restarted while it ran; the agent stopped the processes it had left behind"
                    : "the agent restarted without it"
            }
            for job in lost {
                logger.warning(
                    "job attempt lost: its agent restarted",
                    metadata: ["job.id": "\(job.id)", "job.attempt": "\(job.attempt)", "job.status": "\(job.status.rawValue)"])
                await announce(job)
            }
        }
        try await store.renewLeases(
            serverID: agent.serverID, attempts: request.running, until: now.addingTimeInterval(settings.leaseWindow))
        if try await store.recordHeartbeat(serverID: agent.serverID, facts: request.facts, at: now) {
            await events.publish(Wire.Event(kind: .serverOnline, at: now, tenantID: agent.tenantID, serverID: agent.serverID))
        }
    }

    /// Appends a batch of the running attempt's log, masked again with what the hub knows. Throws 409
    /// `job_cancelled` (the agent stops the script) or `stale_attempt` when the attempt is over.
    func appendLog(_ batch: Wire.Job.LogBatch, to job: JobRecord) async throws {
        var lines = batch.lines
        if !lines.isEmpty, job.sealedSecrets != nil || job.sealedSteps != nil {
            let masker = SecretMasker(secrets: try secrets(of: job))
            lines = lines.map(masker.mask)
        }
        switch try await store.appendLog(jobID: job.id, attempt: batch.attempt, lines: lines, cap: settings.maxLogBytes) {
        case .appended(let length):
            if !lines.isEmpty {
                await events.publish(job.logEvent(length: length))
                await logScanner.scanJobLog(lines, of: job)
            }
        case .notRunning(let status, let attempt):
            if status == .cancelled, attempt == batch.attempt {
                throw APIError(.conflict, code: "job_cancelled", detail: "job \(job.id) was cancelled")
            }
            throw APIError(.conflict, code: "stale_attempt", detail: "attempt \(batch.attempt) of job \(job.id) is not running")
        case .unknown:
            throw APIError.notFound("job", id: job.id)
        }
    }

    /// Applies the exit-code contract to an attempt's result. Idempotent per (job, attempt); 409
    /// `stale_attempt` for an attempt the job is not at. What a read step returned, and outputs the
    /// app declares secret, are sealed at rest and shown masked in lists.
    func recordResult(_ result: Wire.Job.Result, for job: JobRecord) async throws -> JobRecord {
        let now = clock.now
        let box = SecretBox(key: keys.masterKey)
        // What tracked files hold goes to config history (sealed there), not into the job.
        let steps = result.steps.map { step in
            var kept = step
            kept.files = step.files?.map(\.withoutContent)
            return kept
        }
        let sealed = steps.contains { $0.content != nil || $0.values != nil } ? try box.seal(encoding: steps) : nil
        let secretOutputs = result.outputs.filter { job.secretOutputs.contains($0.key) }
        let sealedOutputs = secretOutputs.isEmpty ? nil : try box.seal(secretOutputs)
        var masked = result
        masked.steps = result.steps.map(\.masked)
        for name in secretOutputs.keys { masked.outputs[name] = SecretMasker.mask }
        let shown = masked
        let backoffScale = settings.backoffScale
        guard
            let (recorded, verdict) = try await store.updateJob(
                id: job.id, at: now,
                { job in
                    let verdict = JobLifecycle.finish(
                        &job, with: shown, sealedResults: sealed, sealedOutputs: sealedOutputs, now: now, backoffScale: backoffScale)
                    return (verdict == .applied, verdict)
                })
        else { throw APIError.notFound("job", id: job.id) }
        switch verdict {
        case .applied:
            logger.info(
                "job attempt finished",
                metadata: ["job.id": "\(job.id)", "job.attempt": "\(recorded.attempt)", "job.status": "\(recorded.status.rawValue)"])
            await configRecorder.record(result, of: job)
            await announce(recorded)
        case .duplicate:
            // The hub may have stopped between keeping the result and recording the files.
            await configRecorder.recordAgain(result, of: job)
        case .stale(let current):
            throw APIError(.conflict, code: "stale_attempt", detail: "job \(job.id) is at attempt \(current), not \(result.attempt)")
        }
        return recorded
    }

    /// Ends a running attempt as `failed` for a reason of the hub's own (no exit code).
    func failAttempt(_ job: JobRecord, reason: String) async throws {
        let now = clock.now
        let attempt = job.attempt
        if let (failed, changed) = try await store.updateJob(
            id: job.id, at: now,
            { job in
                guard job.attempt == attempt, job.status == .running else { return (false, false) }
                JobLifecycle.fail(&job, reason: reason, now: now)
                return (true, true)
            }), changed
        {
            await announce(failed)
        }
    }

    // MARK: The sweeper's rounds

    /// Running attempts whose lease ran out become lost attempts, retried like exit 2.
    public func expireLeases() async throws -> [JobRecord] {
        let lost = try await store.expireLeases(now: clock.now, backoffScale: settings.backoffScale)
        for job in lost { await announce(job) }
        return lost
    }

    /// Waiting jobs whose predecessor in a `requires` chain ended without success are cancelled.
    public func cancelOrphans() async throws -> [JobRecord] {
        let cancelled = try await store.cancelOrphanedJobs(now: clock.now)
        for job in cancelled { await announce(job) }
        return cancelled
    }

    /// After a hub start, running attempts get a full lease window: no agent could renew while no hub ran.
    public func extendLeasesAfterStart() async throws {
        try await store.extendRunningLeases(until: clock.now.addingTimeInterval(settings.leaseWindow))
    }

    // MARK: Reading

    /// The job as operators see it, what its read steps returned and its secret outputs included.
    /// Lists show both masked.
    func detailedInfo(_ job: JobRecord) throws -> Wire.Job.Info {
        var info = job.info
        let box = SecretBox(key: keys.masterKey)
        if let sealed = job.sealedResults { info.stepResults = try box.open(sealed, as: [Wire.Job.StepResult].self) }
        if let sealed = job.sealedOutputs { info.outputs.merge(try box.open(sealed)) { _, secret in secret } }
        return info
    }

    /// Sends the log from `offset` up to where it stands now, in slices: `send` gets each one.
    func readLog(_ job: JobRecord, from offset: Int64, send: (ArraySlice<UInt8>) async throws -> Void) async throws {
        var position = offset
        let end = try await store.job(id: job.id, tenantID: job.tenantID)?.logBytes ?? job.logBytes
        while position < end {
            let slice = try await store.logSlice(jobID: job.id, tenantID: job.tenantID, from: position, limit: Self.logSliceBytes)
            guard !slice.isEmpty else { break }
            try await send(slice[...])
            position += Int64(slice.count)
        }
    }

    /// Follows the log from `offset` until the job ends: new text as it is stored (in slices),
    /// `idle` when nothing happened for a while, and a last `end` with the job.
    func follow(_ job: JobRecord, from offset: Int64, send: (LogUpdate) async throws -> Void) async throws {
        let signals = await EventFeed.open(events)
        var sent = offset
        // The first round reads what is there already; later rounds what an event announced.
        var signal: EventFeed.Signal? = .tick
        var iterator = signals.makeAsyncIterator()
        while let current = signal {
            if case .event(let event) = current, event.jobID != job.id {
                signal = await iterator.next()
                continue
            }
            guard let now = try await store.job(id: job.id, tenantID: job.tenantID) else { break }
            var wrote = false
            while sent < now.logBytes {
                var slice = try await store.logSlice(jobID: job.id, tenantID: job.tenantID, from: sent, limit: Self.logSliceBytes)
                // A slice cut inside a character keeps that character for the next one.
                if slice.count == Self.logSliceBytes { slice.removeLast(UTF8Tail.incompleteByteCount(slice)) }
                guard !slice.isEmpty else { break }
                sent += Int64(slice.count)
                try await send(.text(slice, offset: sent))
                wrote = true
            }
            if !wrote, case .tick = current { try await send(.idle) }
            if now.status.isFinal {
                try await send(.end(now))
                break
            }
            signal = await iterator.next()
        }
    }

    // MARK: Helpers

    /// Announces a job's new status. Queued and retrying jobs wake their server's long poll, on this
    /// hub through the bus's observer, on the others through the relay.
    func announce(_ job: JobRecord) async {
        await events.publish(job.statusEvent)
    }

    /// Every secret value of the job: sealed inputs and what its steps write.
    func secrets(of job: JobRecord) throws -> [String] {
        let box = SecretBox(key: keys.masterKey)
        var secrets = try job.sealedSecrets.map { Array(try box.open($0).values) } ?? []
        secrets += try job.sealedSteps.map { try box.open($0, as: [Wire.Job.Step].self).flatMap(\.secrets) } ?? []
        return secrets
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

extension SHA256 {
    /// The digest of `data` as lower-case hex.
    static func hex(of data: Data) -> String {
        Hex.encode(hash(data: data))
    }
}
