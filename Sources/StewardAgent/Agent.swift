import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle
import StewardCore

/// The agent daemon: enrolls once, then heartbeats and runs signed jobs for as long as it runs.
///
/// While the hub is unreachable it keeps trying with capped, jittered exponential backoff and carries
/// on by itself when the hub returns. It stops (throws ``AgentError``) only when a person must act:
/// the token was refused, or the hub revoked this agent.
public struct Agent: Service {
    let configuration: AgentConfiguration
    let httpClient: HTTPClient
    let logger: Logger
    let stateDirectory: StateDirectory

    public init(configuration: AgentConfiguration, httpClient: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
        self.stateDirectory = StateDirectory(path: configuration.stateDirectory)
    }

    public func run() async throws {
        // Graceful shutdown (SIGTERM) cancels the loops below, which end at their next sleep.
        try await cancelWhenGracefulShutdown {
            guard let credentials = try await enrolledCredentials() else { return }
            var agentLogger = self.logger
            agentLogger[metadataKey: "agent.id"] = .string(credentials.agentID)
            let logger = agentLogger
            // Every loop talks to the current one of these; a hub that fails moves them all on.
            let hubs = hubs(for: credentials)
            for url in hubs { try checkAddress(url) }
            let endpoints = HubEndpoints(hubs, logger: logger)
            if hubs.count > 1 { logger.info("hubs to fail over between", metadata: ["hubs": "\(hubs.joined(separator: " "))"]) }
            let client = HubClient(httpClient: httpClient, endpoints: endpoints)
            // What an earlier run of this agent left: scripts still running (stopped now, reported in
            // the first heartbeat), scripts that ended meanwhile and results not yet delivered (both
            // journaled, and held until the hub has them).
            let ledger = try ProcessLedger(directory: stateDirectory.path + "/processes", logger: logger)
            let leftovers = await ledger.recoverLeftovers(grace: .seconds(5))
            let abandoned = leftovers.stopped
            let journal = try ResultJournal(directory: stateDirectory.path + "/journal")
            for finished in leftovers.finished {
                let attempt = finished.attempt
                do {
                    _ = try journal.record(.init(jobID: attempt.jobID, attempt: attempt.attempt, lines: [], result: finished.result))
                } catch {
                    logger.error("cannot journal a recovered result", metadata: ["job.id": "\(attempt.jobID)", "error": "\(error)"])
                }
            }
            let held = HeldAttempts()
            for (_, entry) in journal.pending() { held.hold(.init(jobID: entry.jobID, attempt: entry.attempt)) }
            let hello = StopSignal()
            let carried = CarriedHeartbeats(interval: credentials.heartbeatIntervalSeconds)
            // This run's id: the hub hands jobs only to polls of the run its last hello named.
            let runID = UUID().uuidString.lowercased()
            let jobs = JobLoop(
                client: client, credentials: credentials,
                stateDirectory: stateDirectory, logger: logger, maxBackoffSeconds: configuration.maxBackoffSeconds,
                policy: configuration.policy, concurrency: configuration.concurrency, held: held, carried: carried, journal: journal,
                ledger: ledger,
                hello: hello, runID: runID, docker: DockerClient(http: httpClient, socketPath: configuration.dockerSocket),
                backups: BackupStore(root: configuration.backupDirectory ?? stateDirectory.path + "/backups"))
            // Heartbeats, jobs and metrics run side by side; whichever throws (revocation) ends them all.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await heartbeatLoop(
                        client: client, credentials: credentials, held: held, carried: carried, abandoned: abandoned, hello: hello,
                        runID: runID, logger: logger)
                }
                group.addTask { try await jobs.run() }
                if configuration.metricsInterval > 0 {
                    let metrics = MetricsLoop(
                        client: client, credential: credentials.credential,
                        interval: configuration.metricsInterval, bufferPath: stateDirectory.path + "/metrics-pending.jsonl", logger: logger)
                    group.addTask { await metrics.run() }
                }
                if configuration.containersInterval > 0 {
                    let containers = ContainerWatcher(
                        docker: DockerClient(http: httpClient, socketPath: configuration.dockerSocket),
                        client: client, credential: credentials.credential,
                        interval: configuration.containersInterval, secretWords: configuration.secretEnvWords, logger: logger)
                    group.addTask { await containers.run() }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    /// The stored credentials, or new ones from enrolling with the registration token.
    /// `nil` when shutdown came first.
    func enrolledCredentials() async throws -> AgentCredentials? {
        if let stored = try stateDirectory.loadCredentials() {
            try checkPinnedKey(stored.hubPublicKey, of: stored.hubURL)
            logger.info("using stored credentials", metadata: ["agent.id": "\(stored.agentID)", "server.id": "\(stored.serverID)"])
            return stored
        }
        guard !configuration.hubURLs.isEmpty, let token = configuration.registrationToken else {
            throw AgentError(
                .notEnrolled,
                "this agent has not enrolled yet: give --hub URL and --token TOKEN (no credentials in \(stateDirectory.path))")
        }
        for url in configuration.hubURLs { try checkAddress(url) }
        // One try per hub in turn: a hub that is down hands the enrollment to the next.
        let endpoints = HubEndpoints(configuration.hubURLs.map(normalised), logger: logger)
        let client = HubClient(httpClient: httpClient, endpoints: endpoints)
        let request = Wire.Registration.Request(token: token, hostname: FactsCollector.hostname(), facts: configuration.facts.collect())
        var backoff = Backoff(cap: configuration.maxBackoffSeconds)
        while !Task.isCancelled {
            let hubURL = endpoints.current
            let answer: Wire.Registration.Response
            do {
                answer = try await client.register(request)
            } catch .refused(let problem) {
                throw AgentError(.enrollmentRefused, "enrollment refused: \(problem.detail ?? problem.title)")
            } catch .unavailable(let reason) {
                let delay = backoff.nextDelay()
                logger.warning(
                    "cannot enroll yet; retrying",
                    metadata: ["hub": "\(hubURL)", "reason": "\(reason)", "retry.seconds": "\(String(format: "%.1f", delay))"])
                try? await Task.sleep(for: .seconds(delay))
                continue
            }
            // Checked before anything is stored: an agent that finds another key keeps no credentials.
            try checkPinnedKey(answer.hubPublicKey, of: hubURL)
            let credentials = AgentCredentials(
                hubURL: hubURL, hubURLs: endpoints.urls, agentID: answer.agentID, agentSecret: answer.agentSecret,
                serverID: answer.serverID, hubPublicKey: answer.hubPublicKey,
                heartbeatIntervalSeconds: answer.heartbeatIntervalSeconds)
            try stateDirectory.save(credentials)
            logger.info("enrolled", metadata: ["agent.id": "\(answer.agentID)", "server.id": "\(answer.serverID)", "hub": "\(hubURL)"])
            return credentials
        }
        return nil
    }

    /// The hubs this run talks to: the stored ones (the enrolling hub first), then any `--hub`
    /// given now that is not among them, so a hub can be added by restarting the agent with it.
    func hubs(for credentials: AgentCredentials) -> [String] {
        var urls = [credentials.hubURL] + (credentials.hubURLs ?? [])
        urls += configuration.hubURLs.map(normalised)
        var seen: Set<String> = []
        return urls.filter { seen.insert($0).inserted }
    }

    /// Heartbeats until the agent stops. Each names the attempts the agent holds; the first one (the
    /// hello) also says the agent started afresh, with the attempts whose leftovers it stopped, and
    /// opens `hello` once the hub has taken it. Later ones are sent only when no long poll has carried
    /// one lately (see ``CarriedHeartbeats``) or the facts changed.
    func heartbeatLoop(
        client: HubClient, credentials: AgentCredentials, held: HeldAttempts, carried: CarriedHeartbeats,
        abandoned: [Wire.Heartbeat.AttemptRef], hello: StopSignal, runID: String, logger: Logger
    ) async throws {
        // Facts go with the first heartbeat after a start, then only when they change.
        var acknowledgedFacts: Wire.Facts?
        var backoff = Backoff(cap: configuration.maxBackoffSeconds)
        var reachable = true
        while !Task.isCancelled {
            let facts = configuration.facts.collect()
            let changed = facts == acknowledgedFacts ? nil : facts
            let due = carried.ownHeartbeatDue(now: .now)
            if hello.isStopped, reachable, changed == nil, due > .now {
                try? await Task.sleep(until: min(due, .now + .seconds(carried.interval)))
                continue
            }
            let delay: Double
            do throws(HubClient.Failure) {
                let freshStart = !hello.isStopped
                let request = Wire.Heartbeat.Request(
                    facts: changed, running: held.current, freshStart: freshStart, abandoned: freshStart ? abandoned : [],
                    runID: freshStart ? runID : nil)
                let answer = try await client.heartbeat(request, credential: credentials.credential)
                if freshStart {
                    logger.info("the hub took this run's first heartbeat; asking for jobs", metadata: ["agent.run": "\(runID)"])
                    hello.stop()
                }
                acknowledgedFacts = facts
                carried.interval = answer.heartbeatIntervalSeconds
                if !reachable {
                    logger.info("hub reachable again")
                    reachable = true
                }
                backoff.reset()
                delay = Double(carried.interval)
            } catch  where error.revokesCredentials {
                throw AgentError.revoked(error, credentialsPath: stateDirectory.credentialsPath)
            } catch {
                delay = min(Double(carried.interval), backoff.nextDelay())
                if reachable {
                    logger.warning("heartbeat failed; retrying with backoff", metadata: ["reason": "\(error)"])
                    reachable = false
                } else {
                    logger.debug("heartbeat failed again", metadata: ["reason": "\(error)", "retry.seconds": "\(delay)"])
                }
            }
            try? await Task.sleep(for: .seconds(delay))
        }
    }

    /// Refuses a hub URL that is not http(s), or plain http off loopback without `--insecure-http`.
    private func checkAddress(_ url: String) throws(AgentError) {
        if let problem = HubAddress.problem(with: url, allowInsecureHTTP: configuration.allowInsecureHTTP) {
            throw AgentError(.insecureHub, problem)
        }
    }

    /// Refuses a hub whose key is not the one `--hub-key` pinned (when one was given).
    private func checkPinnedKey(_ publicKeyBase64: String, of hubURL: String) throws(AgentError) {
        guard let pinned = configuration.hubKey else { return }
        let presented = HubKeyFingerprint.of(publicKeyBase64: publicKeyBase64) ?? "an unreadable key"
        guard presented == pinned else {
            throw AgentError(
                .hubKeyMismatch,
                "\(hubURL) presents the key \(presented), not the \(pinned) given with --hub-key; refusing it (is this the hub you meant, or is something in between?)"
            )
        }
    }

    private func normalised(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}
