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
            let jobs = JobLoop(
                client: HubClient(httpClient: httpClient, baseURL: credentials.hubURL), credentials: credentials,
                stateDirectory: stateDirectory, logger: logger, maxBackoffSeconds: configuration.maxBackoffSeconds,
                policy: configuration.policy, concurrency: configuration.concurrency)
            // Heartbeats and jobs run side by side; whichever throws (revocation) ends both.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await heartbeatLoop(credentials: credentials, logger: logger) }
                group.addTask { try await jobs.run() }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    /// The stored credentials, or new ones from enrolling with the registration token.
    /// `nil` when shutdown came first.
    func enrolledCredentials() async throws -> AgentCredentials? {
        if let stored = try stateDirectory.loadCredentials() {
            if let hubURL = configuration.hubURL, normalised(hubURL) != normalised(stored.hubURL) {
                logger.warning(
                    "ignoring --hub: this agent is enrolled with another hub",
                    metadata: ["hub.stored": "\(stored.hubURL)", "hub.given": "\(hubURL)"])
            }
            logger.info("using stored credentials", metadata: ["agent.id": "\(stored.agentID)", "server.id": "\(stored.serverID)"])
            return stored
        }
        guard let hubURL = configuration.hubURL, let token = configuration.registrationToken else {
            throw AgentError(
                .notEnrolled,
                "this agent has not enrolled yet: give --hub URL and --token TOKEN (no credentials in \(stateDirectory.path))")
        }
        let client = HubClient(httpClient: httpClient, baseURL: hubURL)
        let request = Wire.Registration.Request(token: token, hostname: FactsCollector.hostname(), facts: configuration.facts.collect())
        var backoff = Backoff(cap: configuration.maxBackoffSeconds)
        while !Task.isCancelled {
            let answer: Wire.Registration.Response
            do {
                answer = try await client.register(request)
            } catch .refused(let problem) {
                throw AgentError(.enrollmentRefused, "enrollment refused: \(problem.detail ?? problem.title)")
            } catch .unavailable(let reason) {
                let delay = backoff.nextDelay()
                logger.warning(
                    "cannot enroll yet; retrying",
                    metadata: ["reason": "\(reason)", "retry.seconds": "\(String(format: "%.1f", delay))"])
                try? await Task.sleep(for: .seconds(delay))
                continue
            }
            let credentials = AgentCredentials(
                hubURL: normalised(hubURL), agentID: answer.agentID, agentSecret: answer.agentSecret,
                serverID: answer.serverID, hubPublicKey: answer.hubPublicKey,
                heartbeatIntervalSeconds: answer.heartbeatIntervalSeconds)
            try stateDirectory.save(credentials)
            logger.info("enrolled", metadata: ["agent.id": "\(answer.agentID)", "server.id": "\(answer.serverID)"])
            return credentials
        }
        return nil
    }

    func heartbeatLoop(credentials: AgentCredentials, logger: Logger) async throws {
        let client = HubClient(httpClient: httpClient, baseURL: credentials.hubURL)
        var interval = credentials.heartbeatIntervalSeconds
        // Facts go with the first heartbeat after a start, then only when they change.
        var acknowledgedFacts: Wire.Facts?
        var backoff = Backoff(cap: configuration.maxBackoffSeconds)
        var reachable = true
        while !Task.isCancelled {
            let facts = configuration.facts.collect()
            let changed = facts == acknowledgedFacts ? nil : facts
            let delay: Double
            do throws(HubClient.Failure) {
                let answer = try await client.heartbeat(.init(facts: changed), credential: credentials.credential)
                acknowledgedFacts = facts
                interval = answer.heartbeatIntervalSeconds
                if !reachable {
                    logger.info("hub reachable again")
                    reachable = true
                }
                backoff.reset()
                delay = Double(interval)
            } catch  where error.revokesCredentials {
                throw AgentError(
                    .credentialsRevoked,
                    "the hub no longer accepts this agent (\(error)); enroll again with a new registration token after removing \(stateDirectory.credentialsPath)"
                )
            } catch {
                delay = min(Double(interval), backoff.nextDelay())
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

    private func normalised(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}
