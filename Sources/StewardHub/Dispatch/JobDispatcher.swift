import Crypto
import Foundation
import ServiceLifecycle
import StewardCore

/// Queues jobs and hands them to agents, signed.
struct JobDispatcher: Sendable {
    let store: Store
    let catalog: AppCatalog
    let keys: HubKeys
    let events: EventBus
    let notifier: JobNotifier
    /// Multiplies every retry delay; tests use e.g. 0.001.
    let backoffScale: Double
    /// How long a running job's lease lasts without news from its agent: three heartbeats and a margin.
    /// Each heartbeat renews it, so a live agent keeps its job however long the script runs.
    let leaseWindow: TimeInterval
    /// How long an envelope stays valid: enough to reach the agent, not enough to be kept for later.
    static let envelopeLifetime: TimeInterval = 300

    /// Announces a job's new status. Queued and retrying jobs wake their server's long poll, on this
    /// hub through the bus's observer, on the others through the relay (``wakesLongPolls(_:)``).
    func announce(_ job: JobRecord) async {
        await events.publish(job.statusEvent)
    }

    /// The event bus observer that wakes a server's long polls when a job is queued for it, or when
    /// one ends (another poller of an agent that runs several at a time may now take the next).
    static func wakesLongPolls(_ notifier: JobNotifier) -> @Sendable (Wire.Event) async -> Void {
        { event in
            if [.jobQueued, .jobRetrying, .jobFinished].contains(event.kind) { await notifier.notify(serverID: event.serverID) }
        }
    }

    /// The agent's next job, signed for it, waiting up to `wait` for one to be queued.
    func next(for agent: AgentRecord, wait: Duration, concurrency: Int) async throws -> Wire.JobEnvelope? {
        let deadline = ContinuousClock.now + wait
        while true {
            if let job = try await store.claimNextJob(
                serverID: agent.serverID, now: Date(), lease: leaseWindow, concurrency: concurrency)
            {
                do {
                    let envelope = try envelope(for: job, agent: agent)
                    await announce(job)
                    return envelope
                } catch {
                    // Nothing can run this attempt (its app left the catalog, its secrets cannot be
                    // opened): end it now with the reason instead of leaving it to its lease.
                    if case .applied(let failed) = try await store.failAttempt(
                        jobID: job.id, attempt: job.attempt, reason: "the hub could not prepare the job: \(error)", now: Date())
                    {
                        await announce(failed)
                    }
                    continue
                }
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return nil }
            // Sleep until a job is queued, a retry falls due, or the poll ends.
            var timeout = remaining
            if let due = try await store.nextDueTime(serverID: agent.serverID) {
                let untilDue = Duration.milliseconds(max(0, Int64(due.timeIntervalSinceNow * 1000)) + 1)
                timeout = min(timeout, untilDue)
            }
            // A hub shutting down answers its long polls at once instead of holding shutdown for them.
            let notifier = self.notifier
            let serverID = agent.serverID
            let wait = timeout
            guard (try? await cancelWhenGracefulShutdown({ await notifier.wait(serverID: serverID, timeout: wait) })) != nil
            else { return nil }
            if Task.isShuttingDownGracefully { return nil }
            try Task.checkCancellation()
        }
    }

    private func envelope(for job: JobRecord, agent: AgentRecord) throws -> Wire.JobEnvelope {
        let box = SecretBox(key: keys.masterKey)
        var steps: [Wire.Job.Step]
        if let sealed = job.sealedSteps {
            steps = try box.open(sealed, as: [Wire.Job.Step].self)
        } else if let appID = job.appID, job.steps.isEmpty {
            var step = Wire.Job.Step(type: .script)
            step.app = appID
            step.role = job.kind
            steps = [step]
        } else {
            throw StoreError("its steps were erased when it ended")
        }
        for index in steps.indices where steps[index].type == .script {
            try attachScript(to: &steps[index])
        }
        var environment = job.inputs
        if let sealed = job.sealedSecrets {
            environment.merge(try box.open(sealed)) { _, secret in secret }
        }
        let payload = Wire.Job.Payload(
            kind: job.kind, appID: job.appID, appVersion: job.appVersion, steps: steps, environment: environment,
            secretNames: job.secretNames, timeoutSeconds: job.timeoutSeconds)
        return try JobSignature.sign(
            payload: try Wire.makeEncoder().encode(payload), jobID: job.id, attempt: job.attempt, agentID: agent.id,
            notAfter: Date().addingTimeInterval(Self.envelopeLifetime), key: keys.signingKey)
    }

    /// Puts the catalog script a `script` step names into the step, with its SHA-256.
    private func attachScript(to step: inout Wire.Job.Step) throws {
        guard let appID = step.app, let role = step.role, let app = catalog.app(id: appID),
            let path = app.manifest.scripts.all.first(where: { $0.role == role })?.path
        else {
            throw StoreError("the catalog no longer has the \(step.role ?? "") script of \(step.app ?? "no app")")
        }
        let script = try Data(contentsOf: URL(fileURLWithPath: app.directory).appendingPathComponent(path))
        step.script = script.base64EncodedString()
        step.scriptSHA256 = SHA256.hash(data: script).map { String(format: "%02x", $0) }.joined()
    }
}
