import Foundation
import NIOHTTP1
import StewardCore
import StewardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The newcomer's path and the operator CLI, as real processes.
@Suite(.serialized)
struct CommandLineEndToEndTests {
    @Test("`steward demo` starts a hub with a local agent that is online at once, and logs JSON lines when asked")
    func demo() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.path + "/steward-data"
        let demo = try StewardProcess(
            ["demo", "--data-dir", data, "--listen", "127.0.0.1:0", "--log-format", "json"], logPath: directory.path + "/demo.log")
        let api = try await HubAPI.connect(to: demo, token: { try Self.demoToken(in: data) })
        try await eventually("the local agent is online") { try await api.servers().first?.status == .online }
        #expect(try await api.servers().first?.labels == ["demo": "true"])
        #expect(demo.output.contains("Steward created the owner account"))

        for name in ["master.key", "signing.key", "demo-owner.env"] {
            let mode = try FileManager.default.attributesOfItem(atPath: "\(data)/\(name)")[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name)")
        }
        // Every log line is one JSON object with a level and a message.
        let logLines = demo.output.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(logLines.count >= 3)
        for line in logLines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] != nil && object?["msg"] != nil, "\(line)")
        }

        demo.signal(SIGINT)
        #expect(try await demo.waitForExit() == 0)

        // A second run reuses the data: no new owner, the same server, online again.
        let again = try StewardProcess(
            ["demo", "--data-dir", data, "--listen", "127.0.0.1:0"], logPath: directory.path + "/demo-again.log")
        let apiAgain = try await HubAPI.connect(to: again, token: { try Self.demoToken(in: data) })
        try await eventually("the local agent is online again") { try await apiAgain.servers().first?.status == .online }
        #expect(try await apiAgain.servers().count == 1)
        #expect(!again.output.contains("created the owner account"))
        await again.stop()
    }

    @Test("the operator CLI prints tables and JSON, and explains refusals with exit status 1")
    func operatorCommands() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let hub = try StewardProcess(
            ["hub", "--data-dir", directory.path + "/hub", "--listen", "127.0.0.1:0"],
            environment: ["STEWARD_BOOTSTRAP_TOKEN": FleetEndToEndTests.ownerToken], logPath: directory.path + "/hub.log")
        let api = try await HubAPI.connect(to: hub)
        let environment = ["STEWARD_HUB": api.baseURL, "STEWARD_API_TOKEN": FleetEndToEndTests.ownerToken]

        func steward(_ arguments: String...) async throws -> (status: Int32, output: String) {
            let process = try StewardProcess(arguments, environment: environment, logPath: directory.path + "/cli-\(UUID()).log")
            return (try await process.waitForExit(), process.output)
        }

        let created = try await steward("token", "create", "--label", "env=lab", "--max-uses", "2", "--json")
        #expect(created.status == 0)
        let token = try Wire.makeDecoder().decode(Wire.RegistrationToken.Created.self, from: Data(created.output.utf8))
        #expect(token.info.labels == ["env": "lab"])

        let listed = try await steward("token", "list")
        #expect(listed.status == 0)
        #expect(listed.output.contains(token.info.id) && listed.output.contains("0/2") && listed.output.contains("env=lab"))
        #expect(!listed.output.contains(token.token))

        let empty = try await steward("servers")
        #expect(empty.output.contains("No servers yet"))

        let refused = try await steward("token", "create", "--label", "Bad Key=x")
        #expect(refused.status == 1)
        #expect(refused.output.contains("labels.Bad Key"))

        let missing = try await steward("servers", "show", "no-such-server")
        #expect(missing.status == 1)
        #expect(missing.output.contains("no server with id no-such-server"))

        let revoked = try await steward("token", "revoke", token.info.id)
        #expect(revoked.status == 0)
        #expect(try await steward("token", "list").output.contains("revoked"))

        let wrongToken = try StewardProcess(
            ["servers"], environment: ["STEWARD_HUB": api.baseURL, "STEWARD_API_TOKEN": "stw_api_wrong"],
            logPath: directory.path + "/wrong.log")
        #expect(try await wrongToken.waitForExit() == 1)
        #expect(wrongToken.output.contains("the API token is not valid"))
        await hub.stop()
    }

    @Test("`steward login` keeps a token of the user's own (0600) that later commands use; `steward logout` revokes it")
    func loginAndLogout() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let hub = try StewardProcess(
            ["hub", "--data-dir", directory.path + "/hub", "--listen", "127.0.0.1:0"],
            environment: ["STEWARD_BOOTSTRAP_TOKEN": FleetEndToEndTests.ownerToken, "STEWARD_ADMIN_PASSWORD": "a long and unusual phrase"],
            logPath: directory.path + "/hub.log")
        let api = try await HubAPI.connect(to: hub)
        let config = directory.path + "/config/steward.json"
        // No STEWARD_API_TOKEN: only what login keeps.
        let environment = ["STEWARD_CONFIG": config, "STEWARD_API_TOKEN": "", "STEWARD_HUB": ""]
        func steward(_ arguments: [String], input: String? = nil) async throws -> (status: Int32, output: String) {
            let process = try StewardProcess(
                arguments, environment: environment, input: input, logPath: directory.path + "/cli-\(UUID()).log")
            return (try await process.waitForExit(), process.output)
        }

        let wrong = try await steward(["login", "--hub", api.baseURL, "--email", "admin@localhost"], input: "not it\n")
        #expect(wrong.status == 1 && wrong.output.contains("invalid_credentials"))
        #expect(!FileManager.default.fileExists(atPath: config))
        let login = try await steward(["login", "--hub", api.baseURL, "--email", "admin@localhost"], input: "a long and unusual phrase\n")
        #expect(login.status == 0, "\(login.output)")
        #expect(!login.output.contains("a long and unusual phrase"))
        let mode = try FileManager.default.attributesOfItem(atPath: config)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: config))) as? [String: String]
        let token = try #require(saved?["api_token"])
        #expect(token.hasPrefix("stw_api_") && token != FleetEndToEndTests.ownerToken)

        let servers = try await steward(["servers"])
        #expect(servers.status == 0 && servers.output.contains("No servers yet"), "\(servers.output)")
        let logout = try await steward(["logout"])
        #expect(logout.status == 0, "\(logout.output)")
        #expect(!FileManager.default.fileExists(atPath: config))
        let stale = try await steward(["servers", "--api-token", token, "--hub", api.baseURL])
        #expect(stale.status == 1 && stale.output.contains("the API token is not valid"), "the token was revoked")
        await hub.stop()
    }

    @Test("`steward admin reset-password` lets someone with the hub's files back in: new password, sessions ended, audited")
    func resetPassword() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.path + "/hub"
        let hubArguments = ["hub", "--data-dir", data, "--listen", "127.0.0.1:0"]
        let environment = [
            "STEWARD_BOOTSTRAP_TOKEN": FleetEndToEndTests.ownerToken, "STEWARD_ADMIN_PASSWORD": "the password nobody remembers",
        ]
        let first = try StewardProcess(hubArguments, environment: environment, logPath: directory.path + "/hub-1.log")
        _ = try await HubAPI.connect(to: first)
        await first.stop()

        func reset(_ input: String, email: String = "admin@localhost") async throws -> (status: Int32, output: String) {
            let process = try StewardProcess(
                ["admin", "reset-password", "--data-dir", data, "--email", email, "--disable-two-factor"], input: input,
                logPath: directory.path + "/reset-\(UUID()).log")
            return (try await process.waitForExit(), process.output)
        }
        let weak = try await reset("short\n")
        #expect(weak.status == 1 && weak.output.contains("at least 12 characters"), "\(weak.output)")
        let unknown = try await reset("a fresh and unusual phrase\n", email: "nobody@example.com")
        #expect(unknown.status == 1 && unknown.output.contains("there is no user nobody@example.com"))
        let done = try await reset("a fresh and unusual phrase\n")
        #expect(done.status == 0, "\(done.output)")

        let second = try StewardProcess(hubArguments, environment: environment, logPath: directory.path + "/hub-2.log")
        let api = try await HubAPI.connect(to: second)
        func signIn(_ password: String) async throws -> HTTPResponseStatus {
            let body = try Wire.makeEncoder().encode(Wire.APIToken.SignInRequest(email: "admin@localhost", password: password))
            return try await api.request(.POST, "/api/v1/auth/tokens", body: body).status
        }
        #expect(try await signIn("the password nobody remembers") == .unauthorized)
        #expect(try await signIn("a fresh and unusual phrase") == .created)
        let audit = String(decoding: try await api.request(.GET, "/api/v1/audit").body, as: UTF8.self)
        #expect(audit.contains("user.password_reset") && audit.contains("local-admin"))
        await second.stop()
    }

    static func demoToken(in data: String) throws -> String {
        let text = try String(contentsOfFile: data + "/demo-owner.env", encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("STEWARD_API_TOKEN=") }) else {
            throw TestFailure("no token in demo-owner.env")
        }
        return String(line.dropFirst("STEWARD_API_TOKEN=".count))
    }
}
