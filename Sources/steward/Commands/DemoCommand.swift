import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import StewardAgent
import StewardAgentCommand
import StewardCore
import StewardHub
import UnixSignals

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a hub on SQLite with a local agent enrolled to it: Steward working in one command.",
        discussion: """
            The owner's API token is kept in DATA_DIR/demo-owner.env (mode 0600) so later runs can
            print it again; that file is a convenience of the demo and is not written by `steward hub`.
            """
    )

    @OptionGroup var options: HubOptions

    func run() async throws {
        let logger = options.logFormat.bootstrap(label: "steward.demo")
        let owner = OwnerBox()
        let (listening, listeningContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = try await buildHubApplication(
            configuration: try options.configuration(announce: { credentials in
                announceOwner(credentials)
                owner.credentials = credentials
            }),
            logger: logger,
            onListening: { _, port in listeningContinuation.yield(port) })
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HubClient.httpClientConfiguration)
        let localAgent = LocalAgentService(
            dataDirectory: options.dataDir, host: options.listen.host, listening: listening, owner: owner,
            httpClient: httpClient, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: app), .init(service: localAgent)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            try? await httpClient.shutdown()
            if let agentError = error as? AgentError {
                FileHandle.standardError.write(Data("steward demo: \(agentError.message)\n".utf8))
                throw ExitCode(agentError.code.exitCode)
            }
            throw error
        }
        try await httpClient.shutdown()
    }
}

/// Holds the owner's credentials from the first start until the local agent needs them.
final class OwnerBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: OwnerBootstrap.Credentials?

    var credentials: OwnerBootstrap.Credentials? {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

/// Waits for the demo hub to listen, enrolls an agent with it if needed, then runs that agent.
struct LocalAgentService: Service {
    let dataDirectory: String
    let host: String
    let listening: AsyncStream<Int>
    let owner: OwnerBox
    let httpClient: HTTPClient
    let logger: Logger

    func run() async throws {
        var port: Int?
        for await value in listening.cancelOnGracefulShutdown() {
            port = value
            break
        }
        guard let port else { return }
        let connectHost = ["0.0.0.0", "::"].contains(host) ? "127.0.0.1" : host
        let hubURL = "http://\(connectHost.contains(":") ? "[\(connectHost)]" : connectHost):\(port)"
        let ownerFile = dataDirectory + "/demo-owner.env"
        if let credentials = owner.credentials {
            let content = """
                STEWARD_HUB=\(hubURL)
                STEWARD_API_TOKEN=\(credentials.apiToken)
                STEWARD_ADMIN_EMAIL=\(credentials.email)
                STEWARD_ADMIN_PASSWORD=\(credentials.password)

                """
            try AtomicFile.write(Data(content.utf8), to: ownerFile, mode: 0o600)
        }
        let apiToken = owner.credentials?.apiToken ?? Self.readToken(from: ownerFile)

        let stateDirectory = dataDirectory + "/local-agent"
        var configuration = AgentConfiguration(hubURLs: [hubURL], registrationToken: nil, stateDirectory: stateDirectory)
        if try StateDirectory(path: stateDirectory).loadCredentials() == nil {
            guard let apiToken else {
                throw AgentError(
                    .notEnrolled,
                    "the local agent has no credentials and \(ownerFile) is missing; remove \(dataDirectory) to start afresh")
            }
            let client = OperatorClient(baseURL: hubURL, apiToken: apiToken, httpClient: httpClient)
            let created: Wire.RegistrationToken.Created = try await client.post(
                "/api/v1/registration-tokens",
                body: Wire.RegistrationToken.CreateRequest(
                    description: "local demo agent", expiresInSeconds: 600, maxUses: 1, labels: ["demo": "true"]))
            configuration.registrationToken = created.token
        }

        Console.write(
            """

            Steward is running: hub at \(hubURL), with a local agent.
            Web console: \(hubURL)/ — sign in with STEWARD_ADMIN_EMAIL and STEWARD_ADMIN_PASSWORD from \(ownerFile).
            In another terminal:

              export STEWARD_HUB=\(hubURL)
              export STEWARD_API_TOKEN=\(apiToken.map { _ in "$(sed -n 's/^STEWARD_API_TOKEN=//p' \(ownerFile))" } ?? "<the owner's API token>")
              swift run steward servers

            Stop with Ctrl-C.

            """)
        try await Agent(configuration: configuration, httpClient: httpClient, logger: logger).run()
    }

    private static func readToken(from path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix("STEWARD_API_TOKEN=") }
            .map { String($0.dropFirst("STEWARD_API_TOKEN=".count)) }
    }
}
