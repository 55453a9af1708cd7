import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import StewardAgent
import StewardCore
import UnixSignals

/// `steward agent` and `steward-agent`: the agent's options and its run, shared by both programs.
public struct AgentCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the agent on a server: enroll once, then keep in touch with the hub.",
        discussion: """
            The first start needs --hub and --token; the credentials it receives are written to the state
            directory (mode 0600) and used on every later start. With several --hub, a hub that stops
            answering (or answers 5xx) hands every request to the next one.

            Exit status: 0 after SIGTERM/SIGINT; 77 when the hub revoked this agent; 78 when the hub refused
            the registration token or presented another key than --hub-key; 64 when there are neither
            credentials nor a token, or the hub is plain http off loopback without --insecure-http; 74 when
            the state directory cannot be read; 65 when the policy file is not valid.
            """
    )

    @Option(
        help: ArgumentHelp(
            "A hub's URL, e.g. https://hub.example.com (repeatable: hubs sharing one database and one set of keys, which the agent fails over between).",
            valueName: "url"))
    var hub: [String] = []

    @Option(help: "A registration token (needed only until the agent has enrolled).")
    var token: String?

    @Option(
        help: ArgumentHelp(
            "The fingerprint of the hub's key (SHA256:…, printed with the token): the agent refuses a hub that presents another. Also read from STEWARD_HUB_KEY.",
            valueName: "fingerprint"))
    var hubKey: String?

    @Flag(help: "Allow a plain http:// hub off loopback (the agent's secret and results then cross the network unencrypted).")
    var insecureHttp = false

    @Option(help: "Where the agent keeps its credentials.")
    var stateDir = "/var/lib/steward-agent"

    @Option(help: "Log format: text or json.")
    var logFormat = LogFormat.text

    @Option(help: "Longest wait, in seconds, between attempts to reach a hub that is down (1 to 3600).")
    var maxBackoff: Double = 60

    @Option(
        help: ArgumentHelp(
            "A policy file (YAML) saying which files, commands and services jobs may touch; without one only catalog scripts run.",
            valueName: "file"))
    var policy: String?

    @Option(help: "How many jobs may run at once (1 to 16); scripts, file writes and services always run alone.")
    var concurrency = 1

    @Option(help: "Seconds between host metrics samples (CPU, memory, disks, network) sent to the hub; 0 turns them off.")
    var metricsInterval = 15

    @Option(help: "Seconds between reports of the Docker containers (while the Docker socket exists); 0 stops watching Docker.")
    var containersInterval = 15

    @Option(help: "Docker's API socket.")
    var dockerSocket = "/var/run/docker.sock"

    @Option(
        help: ArgumentHelp(
            "Where app backups and the snapshots taken before upgrades are kept (default: backups/ in the state directory).",
            valueName: "dir"))
    var backupDir: String?

    @Option(
        help: ArgumentHelp(
            "A word that makes a container's environment value secret when its name contains it (repeatable; PASSWORD, SECRET, TOKEN, KEY and the like always do): the value is masked before it leaves the server.",
            valueName: "word"))
    var secretEnvWord: [String] = []

    public init() {}

    public func validate() throws {
        guard (1...3600).contains(maxBackoff) else { throw ValidationError("--max-backoff must be between 1 and 3600 seconds") }
        guard (1...16).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 16") }
        guard metricsInterval == 0 || (5...3600).contains(metricsInterval) else {
            throw ValidationError("--metrics-interval must be 0 (off) or between 5 and 3600 seconds")
        }
        guard containersInterval == 0 || (5...3600).contains(containersInterval) else {
            throw ValidationError("--containers-interval must be 0 (off) or between 5 and 3600 seconds")
        }
        if let backupDir, !backupDir.hasPrefix("/") { throw ValidationError("--backup-dir must be an absolute path") }
        if let hubKey, !HubKeyFingerprint.isWellFormed(hubKey) {
            throw ValidationError("--hub-key takes a fingerprint such as SHA256:<43 base64 characters>, as steward token create prints it")
        }
        for word in secretEnvWord where word.wholeMatch(of: /[A-Za-z0-9_]{2,64}/) == nil {
            throw ValidationError("--secret-env-word \(word) must be 2 to 64 letters, digits or _")
        }
    }

    public func run() async throws {
        let logger = logFormat.bootstrap(label: "steward.agent")
        let environment = ProcessInfo.processInfo.environment
        let token = self.token ?? environment["STEWARD_REGISTRATION_TOKEN"]
        var configuration = AgentConfiguration(hubURLs: hub, registrationToken: token, stateDirectory: stateDir)
        configuration.hubKey = hubKey ?? environment["STEWARD_HUB_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if let pinned = configuration.hubKey, !HubKeyFingerprint.isWellFormed(pinned) {
            FileHandle.standardError.write(Data("steward agent: STEWARD_HUB_KEY is not a fingerprint (SHA256:…)\n".utf8))
            throw ExitCode.validationFailure
        }
        configuration.allowInsecureHTTP = insecureHttp
        configuration.maxBackoffSeconds = maxBackoff
        configuration.concurrency = concurrency
        configuration.metricsInterval = metricsInterval
        configuration.containersInterval = containersInterval
        configuration.dockerSocket = dockerSocket
        configuration.backupDirectory = backupDir
        configuration.secretEnvWords += secretEnvWord.map { $0.uppercased() }
        do {
            if let policy { configuration.policy = try AgentPolicy.load(path: policy) }
        } catch let error as AgentError {
            FileHandle.standardError.write(Data("steward agent: \(error.message)\n".utf8))
            throw ExitCode(error.code.exitCode)
        }
        try await AgentRunner.run(configuration: configuration, logger: logger)
    }
}

/// Runs an agent in its own service group and turns an `AgentError` into its exit status.
public enum AgentRunner {
    public static func run(configuration: AgentConfiguration, logger: Logger) async throws {
        // One event loop: the agent holds a connection or two to its hub and one to Docker; a loop per
        // core (NIO's shared group) would only add threads and their stacks.
        let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let httpClient = HTTPClient(eventLoopGroupProvider: .shared(loop), configuration: HubClient.httpClientConfiguration)
        do {
            let agent = Agent(configuration: configuration, httpClient: httpClient, logger: logger)
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: agent, successTerminationBehavior: .gracefullyShutdownGroup)],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
            try await httpClient.shutdown()
            try? await loop.shutdownGracefully()
        } catch {
            try? await httpClient.shutdown()
            try? await loop.shutdownGracefully()
            // The service group rethrows the error its service threw, unwrapped.
            if let agentError = error as? AgentError {
                logger.critical("agent stopped", metadata: ["reason": "\(agentError.code)"])
                FileHandle.standardError.write(Data("steward agent: \(agentError.message)\n".utf8))
                throw ExitCode(agentError.code.exitCode)
            }
            throw error
        }
    }
}
