import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import StewardAgent
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real hub process and real agent processes talking HTTP over loopback.
@Suite(.serialized)
struct FleetEndToEndTests {
    static let ownerToken = "stw_api_end-to-end-owner-token-0123456789"

    @Test(
        "enroll → online → agent stopped → offline → restarted from its state dir → online → decommissioned → agent exits revoked",
        arguments: TestDatabase.available)
    func fleetLifecycle(database: TestDatabase) async throws {
        try await database.withFreshLocation { (location: DatabaseLocation) -> Void in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            var hubArguments = ["hub", "--data-dir", directory.path + "/hub", "--listen", "127.0.0.1:0", "--heartbeat-interval", "1"]
            if case .postgresql(url: let url) = location { hubArguments += ["--database-url", url] }
            let hub = try StewardProcess(
                hubArguments, environment: ["STEWARD_BOOTSTRAP_TOKEN": Self.ownerToken], logPath: directory.path + "/hub.log")
            let api = try await HubAPI.connect(to: hub)
            for key in ["master.key", "signing.key"] {
                let mode = try FileManager.default.attributesOfItem(atPath: "\(directory.path)/hub/\(key)")[.posixPermissions] as? Int
                #expect(mode == 0o600, "\(key)")
            }

            let token = try await api.createToken(maxUses: 1)
            let stateA = directory.path + "/agent-a"
            var agent = try StewardProcess(
                ["agent", "--hub", api.baseURL, "--token", token, "--state-dir", stateA], logPath: directory.path + "/agent-a.log")
            try await eventually("the server is online") { try await api.servers().first?.status == .online }
            let server = try #require(try await api.servers().first)
            // Listed at enrollment, a moment before the agent has saved its credentials.
            try await eventually("the agent saved its credentials") { FileManager.default.fileExists(atPath: stateA + "/credentials.json") }
            let mode = try FileManager.default.attributesOfItem(atPath: stateA + "/credentials.json")[.posixPermissions] as? Int
            #expect(mode == 0o600)

            agent.signal(SIGTERM)
            #expect(try await agent.waitForExit() == 0)
            try await eventually("the server goes offline after three missed heartbeats") {
                try await api.servers().first?.status == .offline
            }

            agent = try StewardProcess(["agent", "--state-dir", stateA], logPath: directory.path + "/agent-a-again.log")
            try await eventually("the server is online again without a token") { try await api.servers().first?.status == .online }
            #expect(try await api.servers().map(\.id) == [server.id])

            let intruder = try StewardProcess(
                ["agent", "--hub", api.baseURL, "--token", token, "--state-dir", directory.path + "/agent-b"],
                logPath: directory.path + "/agent-b.log")
            #expect(try await intruder.waitForExit() == AgentError.Code.enrollmentRefused.exitCode)
            #expect(intruder.output.contains("used for all of its 1 enrollment"))

            try await api.decommission(server.id)
            #expect(try await agent.waitForExit() == AgentError.Code.credentialsRevoked.exitCode)
            #expect(agent.output.contains("revoked"))
            #expect(try await api.servers().isEmpty)

            hub.signal(SIGTERM)
            #expect(try await hub.waitForExit() == 0)
            // No secret reached either process's log.
            for log in [hub.output, agent.output] {
                #expect(!log.contains(token))
                #expect(!log.contains(Self.ownerToken))
                #expect(!log.contains("stw_agt_"))
            }
        }
    }
}

extension FleetEndToEndTests {
    @Test("--hub-key pins the hub's key at enrollment; plain http off loopback needs --insecure-http")
    func hubKeyPinning() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let hub = try StewardProcess(
            ["hub", "--data-dir", directory.path + "/hub", "--listen", "127.0.0.1:0"],
            environment: ["STEWARD_BOOTSTRAP_TOKEN": Self.ownerToken], logPath: directory.path + "/hub.log")
        defer { hub.signal(SIGTERM) }
        let api = try await HubAPI.connect(to: hub)
        let created = try await api.createdToken(maxUses: 2)
        let signingKey = try Data(contentsOf: URL(fileURLWithPath: directory.path + "/hub/signing.key"))
        let publicKey = try Curve25519.Signing.PrivateKey(rawRepresentation: signingKey).publicKey.rawRepresentation
        #expect(created.hubKey == HubKeyFingerprint.of(publicKey: publicKey))

        // Another key: refused with the reason, nothing stored, no restart (exit 78).
        let otherKey = HubKeyFingerprint.of(publicKey: Curve25519.Signing.PrivateKey().publicKey.rawRepresentation)
        let wrong = try StewardProcess(
            ["agent", "--hub", api.baseURL, "--token", created.token, "--hub-key", otherKey, "--state-dir", directory.path + "/wrong"],
            logPath: directory.path + "/wrong.log")
        #expect(try await wrong.waitForExit() == AgentError.Code.hubKeyMismatch.exitCode)
        #expect(wrong.output.contains("presents the key \(created.hubKey), not the \(otherKey)"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/wrong/credentials.json"))

        // Plain http off loopback: refused before any request, with --insecure-http named.
        let plain = try StewardProcess(
            ["agent", "--hub", "http://192.0.2.1:8080", "--token", created.token, "--state-dir", directory.path + "/plain"],
            logPath: directory.path + "/plain.log")
        #expect(try await plain.waitForExit() == AgentError.Code.insecureHub.exitCode)
        #expect(plain.output.contains("--insecure-http"))

        // The right key, from the environment as the installer hands it over: enrolled; a later
        // start with a different pin refuses the stored hub too.
        let state = directory.path + "/right"
        let right = try StewardProcess(
            ["agent", "--hub", api.baseURL, "--token", created.token, "--state-dir", state],
            environment: ["STEWARD_HUB_KEY": created.hubKey], logPath: directory.path + "/right.log")
        try await eventually("the pinned agent enrolled") { FileManager.default.fileExists(atPath: state + "/credentials.json") }
        right.signal(SIGTERM)
        #expect(try await right.waitForExit() == 0)
        let repinned = try StewardProcess(
            ["agent", "--state-dir", state, "--hub-key", otherKey], logPath: directory.path + "/repinned.log")
        #expect(try await repinned.waitForExit() == AgentError.Code.hubKeyMismatch.exitCode)
    }
}

/// The operator API of a hub process, over AsyncHTTPClient.
struct HubAPI {
    let baseURL: String
    let http: HTTPClient
    let token: String

    /// Waits for the hub to log its port and answer health checks. `token` is read once the hub is healthy.
    static func connect(
        to hub: StewardProcess, token: () throws -> String = { FleetEndToEndTests.ownerToken }
    ) async throws -> HubAPI {
        var port = 0
        _ = try await eventually("the hub listens") {
            // Text logs say `http.address=127.0.0.1:PORT`, JSON logs `"http.address":"127.0.0.1:PORT"`.
            guard let range = hub.output.range(of: #"http\.address"?[=:]"?127\.0\.0\.1:\d+"#, options: .regularExpression) else {
                return false
            }
            port = Int(hub.output[range].split(separator: ":").last!)!
            return true
        }
        let baseURL = "http://127.0.0.1:\(port)"
        let http = HTTPClient.shared
        let probe = HubAPI(baseURL: baseURL, http: http, token: "")
        try await eventually("the hub is healthy") { try await probe.request(.GET, "/api/v1/health").status == .ok }
        return HubAPI(baseURL: baseURL, http: http, token: try token())
    }

    func request(_ method: HTTPMethod, _ path: String, body: Data? = nil) async throws -> (status: HTTPResponseStatus, body: Data) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        let response = try await http.execute(request, timeout: .seconds(10))
        return (response.status, Data(try await response.body.collect(upTo: 16 << 20).readableBytesView))
    }

    func createToken(maxUses: Int) async throws -> String {
        try await createdToken(maxUses: maxUses).token
    }

    /// A new registration token with everything the hub says about it (its key's fingerprint too).
    func createdToken(maxUses: Int) async throws -> Wire.RegistrationToken.Created {
        let body = try Wire.makeEncoder().encode(Wire.RegistrationToken.CreateRequest(maxUses: maxUses))
        let answer = try await request(.POST, "/api/v1/registration-tokens", body: body)
        guard answer.status == .created else { throw TestFailure("token creation failed: \(answer.status)") }
        return try Wire.makeDecoder().decode(Wire.RegistrationToken.Created.self, from: answer.body)
    }

    func servers() async throws -> [Wire.Server.Info] {
        let answer = try await request(.GET, "/api/v1/servers")
        return try Wire.makeDecoder().decode(Wire.ItemList<Wire.Server.Info>.self, from: answer.body).items
    }

    func decommission(_ id: String) async throws {
        guard let server = try await servers().first(where: { $0.id == id }) else { throw TestFailure("no server \(id)") }
        let confirmation = try Wire.makeEncoder().encode(Wire.Confirmation(confirm: server.name))
        let answer = try await request(.DELETE, "/api/v1/servers/\(id)", body: confirmation)
        guard answer.status == .noContent else { throw TestFailure("decommission failed: \(answer.status)") }
    }
}
