import Foundation
import HTTPTypes
import ServiceLifecycle
import StewardCore

/// Hands jobs to agents, signed: the long poll, and the envelope of exactly what was queued.
struct JobDispatcher: Sendable {
    let jobs: JobService
    let notifier: JobNotifier
    let metrics: HubMetrics
    /// How long an envelope stays valid: enough to reach the agent, not enough to be kept for later.
    static let envelopeLifetime: TimeInterval = 300

    var store: Store { jobs.store }

    /// The event bus observer that wakes a server's long polls when a job is queued for it, or when
    /// one ends (another poller of an agent that runs several at a time may now take the next).
    static func wakesLongPolls(_ notifier: JobNotifier) -> @Sendable (Wire.Event) async -> Void {
        { event in
            if [.jobQueued, .jobRetrying, .jobFinished].contains(event.kind) { await notifier.notify(serverID: event.serverID) }
        }
    }

    /// The agent's next job, signed for it, waiting up to `wait` for one to be queued. A poll that
    /// names its agent's `runID` gets 409 `superseded_run` instead once the agent has started another
    /// run: the hub cannot see that a poll's process died, and a job handed to it would be lost.
    func next(for agent: AgentRecord, wait: Duration, concurrency: Int, runID: String? = nil) async throws -> Wire.JobEnvelope? {
        let deadline = ContinuousClock.now + wait
        let run = runID.map { AgentRun(agentID: agent.id, runID: $0) }
        while true {
            // Read before looking: a job queued after this moment ends the wait below at once.
            let seen = await notifier.generation(of: agent.serverID)
            // Most polls find nothing to do: a read says so without a write transaction.
            let earliest = try await store.earliestWaitingJob(serverID: agent.serverID)
            let due = earliest.map { $0 <= jobs.clock.now } ?? false
            var claimed: JobRecord?
            do {
                if due {
                    claimed = try await store.claimNextJob(
                        serverID: agent.serverID, now: jobs.clock.now, lease: jobs.settings.leaseWindow, concurrency: concurrency, run: run)
                }
            } catch is AgentRun.Superseded {
                throw APIError(
                    .conflict, code: "superseded_run",
                    detail: "agent \(agent.id) started another run since this poll's run \(runID ?? "")")
            }
            if let job = claimed {
                metrics.dispatched(after: jobs.clock.now.timeIntervalSince(max(job.createdAt, job.nextRunAt)))
                do {
                    let envelope = try await envelope(for: job, agent: agent)
                    await jobs.announce(job)
                    return envelope
                } catch {
                    // Nothing can run this attempt (its script is gone, its secrets cannot be opened):
                    // end it now with the reason instead of leaving it to its lease.
                    try await jobs.failAttempt(job, reason: "the hub could not prepare the job: \(error)")
                    continue
                }
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return nil }
            // Sleep until a job is queued, a retry falls due, or the poll ends. A due job that could not
            // be claimed waits for a running one to end (which notifies); then the next due time counts.
            var timeout = remaining
            if let next = due ? try await store.earliestWaitingJob(serverID: agent.serverID, unlessRunning: true) : earliest {
                let untilDue = Duration.milliseconds(max(0, Int64(next.timeIntervalSince(jobs.clock.now) * 1000)) + 1)
                timeout = min(timeout, untilDue)
            }
            // A hub shutting down answers its long polls at once instead of holding shutdown for them.
            let notifier = self.notifier
            let serverID = agent.serverID
            let wait = timeout
            metrics.pollStarted()
            _ = await cancelWhenGracefulShutdown { await notifier.wait(serverID: serverID, after: seen, timeout: wait) }
            metrics.pollEnded()
            if Task.isShuttingDownGracefully { return nil }
            try Task.checkCancellation()
        }
    }

    /// The signed envelope of `job`'s current attempt: its steps as queued, with the scripts fixed
    /// then, and its inputs with the secrets opened.
    private func envelope(for job: JobRecord, agent: AgentRecord) async throws -> Wire.JobEnvelope {
        let box = SecretBox(key: jobs.keys.masterKey)
        var steps: [Wire.Job.Step]
        if let sealed = job.sealedSteps {
            steps = try box.open(sealed, as: [Wire.Job.Step].self)
        } else if let appID = job.appID, let role = job.kind.scriptRole, job.steps.isEmpty {
            var step = Wire.Job.Step(type: .script)
            step.app = appID
            step.role = role.rawValue
            step.scriptSHA256 = job.scriptSHA256
            if role == .install || role == .upgrade { step.track = job.release?.trackedPaths }
            steps = [step]
        } else {
            throw StoreError("its steps were erased when it ended")
        }
        var rollback = try job.sealedRollback.map { try box.open($0, as: Wire.Job.Rollback.self) }
        try await attachScripts(to: &steps)
        if var undo = rollback?.steps {
            try await attachScripts(to: &undo)
            rollback?.steps = undo
        }
        var environment = job.inputs
        if let sealed = job.sealedSecrets {
            environment.merge(try box.open(sealed)) { _, secret in secret }
        }
        var payload = Wire.Job.Payload(
            kind: job.kind.rawValue, appID: job.appID, appVersion: job.appVersion, steps: steps, environment: environment,
            secretNames: job.secretNames, timeoutSeconds: job.timeoutSeconds)
        payload.rollback = rollback
        return try JobSignature.sign(
            payload: try Wire.makeEncoder().encode(payload), jobID: job.id, attempt: job.attempt, agentID: agent.id,
            notAfter: jobs.clock.now.addingTimeInterval(Self.envelopeLifetime), key: jobs.keys.signingKey)
    }

    /// Fills in the bytes of the scripts the steps run (script steps, and backups and restores with
    /// the app's own script), as stored when the job was queued.
    private func attachScripts(to steps: inout [Wire.Job.Step]) async throws {
        for index in steps.indices where steps[index].type == .script || steps[index].scriptSHA256 != nil {
            guard let digest = steps[index].scriptSHA256, let script = try await store.script(sha256: digest) else {
                throw StoreError("the script queued with it is not stored (\(steps[index].summary))")
            }
            steps[index].script = script.base64EncodedString()
        }
    }
}
