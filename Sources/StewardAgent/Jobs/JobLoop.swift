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

    func run() async throws {
        guard let keyData = Data(base64Encoded: credentials.hubPublicKey),
            let hubKey = try? Curve25519.Signing.PublicKey(rawRepresentation: keyData)
        else {
            throw AgentError(.stateUnreadable, "the hub key in \(stateDirectory.credentialsPath) is not an Ed25519 public key")
        }
        let replays = try ReplayGuard(path: stateDirectory.path + "/seen-jobs.json")
        let runner = ScriptRunner(workRoot: stateDirectory.path + "/work")
        var backoff = Backoff(cap: maxBackoffSeconds)
        while !Task.isCancelled {
            let envelope: Wire.JobEnvelope?
            do throws(HubClient.Failure) {
                envelope = try await client.nextJob(credential: credentials.credential, wait: 30)
                backoff.reset()
            } catch  where error.revokesCredentials {
                // The heartbeat loop reports revocation and stops the agent.
                return
            } catch {
                try? await Task.sleep(for: .seconds(backoff.nextDelay()))
                continue
            }
            guard let envelope else { continue }
            try await handle(envelope, hubKey: hubKey, replays: replays, runner: runner)
        }
    }

    private func handle(
        _ envelope: Wire.JobEnvelope, hubKey: Curve25519.Signing.PublicKey, replays: ReplayGuard, runner: ScriptRunner
    ) async throws {
        var logger = self.logger
        logger[metadataKey: "job.id"] = .string(envelope.jobID)
        logger[metadataKey: "job.attempt"] = .stringConvertible(envelope.attempt)
        let payload: Wire.Job.Payload
        switch JobSignature.verify(envelope, agentID: credentials.agentID, publicKey: hubKey, now: Date()) {
        case .failure(let rejection):
            return await refuse(envelope, rejection.description, logger: logger)
        case .success(let data):
            guard try await replays.admit(envelope, now: Date()) else {
                return await refuse(envelope, JobSignature.Rejection.replayed.description, logger: logger)
            }
            guard let decoded = try? Wire.makeDecoder().decode(Wire.Job.Payload.self, from: data) else {
                return await refuse(envelope, "the payload is not a job this agent understands", logger: logger)
            }
            payload = decoded
        }
        guard let script = Data(base64Encoded: payload.script),
            SHA256.hash(data: script).map({ String(format: "%02x", $0) }).joined() == payload.scriptSHA256
        else {
            return await refuse(envelope, "the script does not match its SHA-256", logger: logger)
        }

        logger.info("running job", metadata: ["app.id": "\(payload.appID)", "job.role": "\(payload.role)"])
        let secrets = payload.secretNames.compactMap { payload.environment[$0] }
        let shipper = LogShipper(
            client: client, credential: credentials.credential, jobID: envelope.jobID, attempt: envelope.attempt, logger: logger)
        async let shipping: Void = shipper.run()
        let outcome: ScriptRunner.Outcome
        do {
            outcome = try await runner.run(
                .init(script: script, inputs: payload.environment, secrets: secrets, timeout: .seconds(payload.timeoutSeconds))
            ) { line in await shipper.add(line) }
        } catch {
            await shipper.add("[steward: the script could not be started: \(error)]")
            await shipper.stop()
            await shipping
            await shipper.flush()
            return await report(envelope, .init(attempt: envelope.attempt, exitCode: 127), logger: logger)
        }
        await shipper.stop()
        await shipping
        await shipper.flush()
        logger.info("job finished", metadata: ["job.exit_code": "\(outcome.exitCode)"])
        await report(
            envelope, .init(attempt: envelope.attempt, exitCode: Int(outcome.exitCode), outputs: outcome.outputs), logger: logger)
    }

    private func refuse(_ envelope: Wire.JobEnvelope, _ reason: String, logger: Logger) async {
        logger.warning("refused a job", metadata: ["reason": "\(reason)"])
        await report(envelope, .init(attempt: envelope.attempt, exitCode: nil, refusal: reason), logger: logger)
    }

    /// Delivers a result, retrying with backoff while the hub is unreachable; a refusal (stale attempt) ends it.
    private func report(_ envelope: Wire.JobEnvelope, _ result: Wire.Job.Result, logger: Logger) async {
        var backoff = Backoff(cap: maxBackoffSeconds)
        while !Task.isCancelled {
            do throws(HubClient.Failure) {
                try await client.sendResult(jobID: envelope.jobID, result, credential: credentials.credential)
                return
            } catch .refused(let problem) {
                logger.warning("the hub refused the result", metadata: ["reason": "\(problem.code)"])
                return
            } catch {
                try? await Task.sleep(for: .seconds(backoff.nextDelay()))
            }
        }
    }
}
