import Crypto
import Foundation
import Logging
import StewardCore

/// Asks the hub for jobs, verifies each before touching anything, runs it, ships its log and reports.
struct JobLoop {
    let client: HubClient
    let credentials: AgentCredentials
    let stateDirectory: StateDirectory
    let logger: Logger
    let maxBackoffSeconds: Double
    let policy: AgentPolicy
    /// How many jobs may run at once (only jobs the hub marks as not exclusive run side by side).
    let concurrency: Int
    /// What this agent holds, for the heartbeats.
    let held: HeldAttempts
    /// When polls carried heartbeats, for the heartbeat loop; and how long a poll may wait.
    let carried: CarriedHeartbeats
    let journal: ResultJournal
    let ledger: ProcessLedger
    /// Set once the hub has taken this agent's first heartbeat, which lost whatever its previous life
    /// held; no job is asked for before, or the hello could lose a job this life just took.
    let hello: StopSignal
    /// This run of the agent's process, named in the hello and in every poll.
    let runID: String
    /// The Docker engine of `container` steps.
    var docker: DockerClient?
    /// Where `backup` and `restore` steps keep archives.
    var backups: BackupStore?

    func run() async throws {
        guard let keyData = Data(base64Encoded: credentials.hubPublicKey),
            let hubKey = try? Curve25519.Signing.PublicKey(rawRepresentation: keyData)
        else {
            throw AgentError(.stateUnreadable, "the hub key in \(stateDirectory.credentialsPath) is not an Ed25519 public key")
        }
        let replays = try ReplayGuard(path: stateDirectory.path + "/seen-jobs.json")
        let runner = ScriptRunner(workRoot: stateDirectory.path + "/work")
        // Results of an earlier run first: the hub must hear how those attempts ended before new work.
        for (path, entry) in journal.pending() {
            logger.info("delivering a journaled result", metadata: ["job.id": "\(entry.jobID)", "job.attempt": "\(entry.attempt)"])
            await deliver(entry, journaledAt: path, logger: logger)
            held.release(.init(jobID: entry.jobID, attempt: entry.attempt))
        }
        await hello.wait()
        guard hello.isStopped else { return }
        // One poller per job that may run at once; the hub decides which jobs may run side by side.
        try await withThrowingTaskGroup(of: Void.self) { pollers in
            for _ in 0..<concurrency {
                pollers.addTask { try await poll(hubKey: hubKey, replays: replays, runner: runner) }
            }
            try await pollers.waitForAll()
        }
    }

    /// Asks for a job, runs it, and asks again, until the agent stops or its credentials are revoked.
    private func poll(hubKey: Curve25519.Signing.PublicKey, replays: ReplayGuard, runner: ScriptRunner) async throws {
        var backoff = Backoff(cap: maxBackoffSeconds)
        while !Task.isCancelled {
            let envelope: Wire.JobEnvelope?
            let sent = ContinuousClock.now
            do throws(HubClient.Failure) {
                carried.sending(at: sent)
                envelope = try await client.nextJob(
                    credential: credentials.credential, heartbeat: Wire.Heartbeat.Request(facts: nil, running: held.current),
                    wait: carried.pollWait, concurrency: concurrency, runID: runID)
                backoff.reset()
            } catch  where error.revokesCredentials {
                // An idle agent's polls are its heartbeats: a poll is where it learns this first.
                throw AgentError.revoked(error, credentialsPath: stateDirectory.credentialsPath)
            } catch .refused(let problem) where problem.code == "superseded_run" {
                carried.failed(sentAt: sent)
                logger.error(
                    "the hub hands this agent's jobs to a newer run: is a second agent process using this state directory?",
                    metadata: ["agent.run": "\(runID)"])
                try? await Task.sleep(for: .seconds(backoff.nextDelay()))
                continue
            } catch {
                carried.failed(sentAt: sent)
                try? await Task.sleep(for: .seconds(backoff.nextDelay()))
                continue
            }
            guard let envelope else { continue }
            // The hub counts the attempt as running from its claim on: the heartbeats must name it
            // until its result is delivered.
            let attempt = Wire.Heartbeat.AttemptRef(jobID: envelope.jobID, attempt: envelope.attempt)
            held.hold(attempt)
            defer { held.release(attempt) }
            try await handle(envelope, hubKey: hubKey, replays: replays, runner: runner)
        }
    }

    private func handle(
        _ envelope: Wire.JobEnvelope, hubKey: Curve25519.Signing.PublicKey, replays: ReplayGuard, runner: ScriptRunner
    ) async throws {
        var logger = self.logger
        logger[metadataKey: "job.id"] = .string(envelope.jobID)
        logger[metadataKey: "job.attempt"] = .stringConvertible(envelope.attempt)
        func refuse(_ reason: String) async {
            logger.warning("refused a job", metadata: ["reason": "\(reason)"])
            let result = Wire.Job.Result(attempt: envelope.attempt, exitCode: nil, refusal: reason)
            await report(.init(jobID: envelope.jobID, attempt: envelope.attempt, lines: [], result: result), logger: logger)
        }
        let payload: Wire.Job.Payload
        switch JobSignature.verify(envelope, agentID: credentials.agentID, publicKey: hubKey, now: Date()) {
        case .failure(let rejection):
            return await refuse(rejection.description)
        case .success(let data):
            guard try await replays.admit(envelope, now: Date()) else {
                return await refuse(JobSignature.Rejection.replayed.description)
            }
            guard let decoded = try? Wire.makeDecoder().decode(Wire.Job.Payload.self, from: data) else {
                return await refuse("the payload is not a job this agent understands")
            }
            payload = decoded
        }
        // Every step is checked before the first one runs: a chain is refused whole, never run in part.
        // A rollback's steps are numbered on from the job's, as their results are.
        let rollbackSteps = payload.rollback?.steps ?? []
        for (index, step) in (payload.steps + rollbackSteps).enumerated() {
            let label = "step \(index + 1) (\(step.type.rawValue))"
            if let problem = StepCheck.problems(step, index: index).first {
                return await refuse("\(label): \(problem.field) \(problem.message)")
            }
            if step.type == .script, StepExecutor.scriptBytes(of: step) == nil {
                return await refuse("\(label): the script does not match its SHA-256")
            }
            if let reason = policy.refusal(of: step) { return await refuse("\(label): \(reason)") }
        }
        guard !payload.steps.isEmpty else { return await refuse("the job has no steps") }
        // The environment is checked here too, not only on the hub: a signed job must not bring a
        // loader or shell-control variable past the script digests this agent pins.
        let environments =
            [("the job", payload.environment)]
            + (payload.steps + rollbackSteps).enumerated().map { ("step \($0 + 1)", $1.environment ?? [:]) }
        for (owner, environment) in environments {
            if let (name, message) = EnvironmentName.problems(environment).first {
                return await refuse("\(owner): environment variable \(name.prefix(64)) \(message)")
            }
        }

        logger.info("running job", metadata: ["job.kind": "\(payload.kind)", "app.id": "\(payload.appID ?? "-")"])
        let secrets = payload.secretNames.compactMap { payload.environment[$0] } + (payload.steps + rollbackSteps).flatMap(\.secrets)
        let stop = StopSignal()
        let shipper = LogShipper(
            client: client, credential: credentials.credential, jobID: envelope.jobID, attempt: envelope.attempt, stopSignal: stop,
            logger: logger)
        async let shipping: Void = shipper.run()
        let attempt = Wire.Heartbeat.AttemptRef(jobID: envelope.jobID, attempt: envelope.attempt)
        let ledger = self.ledger
        let context = StepExecutor.Context(
            environment: payload.environment, secrets: secrets, deadline: .now + .seconds(payload.timeoutSeconds), stop: stop,
            onLine: { line in await shipper.add(line) },
            onGroupStarted: { ledger.started(attempt, group: $0, workDirectory: $1, soleStep: payload.steps.count == 1) },
            onGroupEnded: { ledger.ended(attempt, group: $0) },
            onGroupStarting: { ledger.starting(attempt, workDirectory: $0, soleStep: payload.steps.count == 1) })
        let executor = StepExecutor(policy: policy, runner: runner, docker: docker, backups: backups)
        var stepResults: [Wire.Job.StepResult] = []
        var outputs: [String: String] = [:]
        for (index, step) in payload.steps.enumerated() {
            // A single script step is the job itself; otherwise each step is announced in the log.
            if payload.steps.count > 1 || step.type != .script {
                await shipper.add("[steward] step \(index + 1)/\(payload.steps.count): \(step.summary)")
            }
            let outcome = await executor.run(step, index: index, context: context)
            if let error = outcome.result.error { await shipper.add("[steward] step \(index + 1) failed: \(error)") }
            stepResults.append(outcome.result)
            outputs.merge(outcome.outputs) { _, new in new }
            if outcome.result.exitCode != 0 { break }
        }
        let exitCode = stepResults.last?.exitCode ?? 1
        // The job's exit code stays the failed step's: the rollback says only whether things were put back.
        var rolledBack: Bool?
        if exitCode != 0, let rollback = payload.rollback, stepResults.count - 1 >= rollback.fromStep, !stop.isStopped {
            await shipper.add("[steward] step \(stepResults.count) failed: rolling back")
            rolledBack = true
            // A job that ran out of time still gets time to put things back.
            var undoing = context
            undoing.deadline = .now + .seconds(payload.timeoutSeconds)
            for (offset, step) in rollback.steps.enumerated() {
                let index = payload.steps.count + offset
                await shipper.add("[steward] rollback \(offset + 1)/\(rollback.steps.count): \(step.summary)")
                let outcome = await executor.run(step, index: index, context: undoing)
                if let error = outcome.result.error { await shipper.add("[steward] rollback \(offset + 1) failed: \(error)") }
                stepResults.append(outcome.result)
                if outcome.result.exitCode != 0 {
                    rolledBack = false
                    break
                }
            }
            await shipper.add(rolledBack == true ? "[steward] rolled back" : "[steward] the rollback failed: the app needs attention")
        }
        logger.info("job finished", metadata: ["job.exit_code": "\(exitCode)", "job.rolled_back": "\(rolledBack.map(String.init) ?? "-")"])
        let result = Wire.Job.Result(
            attempt: envelope.attempt, exitCode: exitCode, outputs: outputs, steps: stepResults, rolledBack: rolledBack)
        await shipper.stop()
        await shipping
        await shipper.flush()
        let unsent = await shipper.takeUnsent()
        await report(.init(jobID: envelope.jobID, attempt: envelope.attempt, lines: unsent, result: result), logger: logger)
    }

    /// Journals an attempt's result, cut down to a size the hub takes, then delivers it.
    private func report(_ entry: ResultJournal.Entry, logger: Logger) async {
        var entry = entry
        entry.result = entry.result.fitted(toBytes: ResultJournal.maxResultBytes)
        var path: String?
        do {
            path = try journal.record(entry)
        } catch {
            logger.error("cannot journal a result; it is delivered from memory only", metadata: ["error": "\(error)"])
        }
        await deliver(entry, journaledAt: path, logger: logger)
    }

    /// Sends the entry's unshipped log lines, then its result, retrying with backoff while the hub is
    /// unreachable. A result the hub finds too large is cut down and sent again, never dropped. Any
    /// other refusal (the attempt is stale, the job gone) ends it: the hub will never take it. The
    /// journal entry goes once the hub has answered; cancellation (shutdown) leaves it for the next start.
    private func deliver(_ entry: ResultJournal.Entry, journaledAt path: String?, logger: Logger) async {
        var entry = entry
        var backoff = Backoff(cap: maxBackoffSeconds)
        while !Task.isCancelled {
            do throws(HubClient.Failure) {
                for batch in LogShipper.batches(of: entry.lines) {
                    do throws(HubClient.Failure) {
                        try await client.sendLogs(
                            jobID: entry.jobID, .init(attempt: entry.attempt, lines: batch), credential: credentials.credential)
                    } catch .refused(let problem) {
                        logger.warning("the hub refused the last log lines", metadata: ["reason": "\(problem.code)"])
                    }
                }
                if !entry.lines.isEmpty {
                    entry.lines = []
                    if let path { try? journal.rewrite(entry, at: path) }
                }
                try await client.sendResult(jobID: entry.jobID, entry.result, credential: credentials.credential)
                if let path { journal.remove(path) }
                return
            } catch .refused(let problem) where problem.status == 413 {
                let size = (try? Wire.makeEncoder().encode(entry.result).count) ?? ResultJournal.maxResultBytes
                logger.warning("the hub found the result too large; sending it cut down", metadata: ["result.bytes": "\(size)"])
                let smaller = entry.result.fitted(toBytes: size / 2)
                guard smaller != entry.result else {
                    logger.error("the hub refuses even the smallest form of this result", metadata: ["job.id": "\(entry.jobID)"])
                    if let path { journal.remove(path) }
                    return
                }
                entry.result = smaller
                if let path { try? journal.rewrite(entry, at: path) }
            } catch .refused(let problem) {
                logger.warning("the hub refused the result", metadata: ["reason": "\(problem.code)"])
                if let path { journal.remove(path) }
                return
            } catch {
                try? await Task.sleep(for: .seconds(backoff.nextDelay()))
            }
        }
    }
}
