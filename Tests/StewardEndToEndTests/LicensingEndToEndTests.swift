import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StewardCore
import StewardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A license service and two licensed hubs, all real processes on loopback: activation,
/// entitlements, telemetry windows that arrive once each across a hub restart and an outage of the
/// service, suspension seen by the hub within an interval, and a rotated telemetry key.
@Suite(.serialized)
struct LicensingEndToEndTests {
    static let adminKey = "stw_adm_e2e-admin-key-0123456789abcdef0123456"
    /// Seconds between telemetry windows: short, so the test sees several.
    static let interval = 2

    /// The license service's admin API.
    struct LicensingAPI {
        let baseURL: String
        var adminKey = LicensingEndToEndTests.adminKey

        func send(_ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> (status: HTTPResponseStatus, body: Data) {
            var request = HTTPClientRequest(url: baseURL + path)
            request.method = method
            request.headers.add(name: "X-Admin-Api-Key", value: adminKey)
            if let json {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: json))
            }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            return (response.status, Data(try await response.body.collect(upTo: 16 << 20).readableBytesView))
        }

        func decode<T: Decodable>(_ type: T.Type, _ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> T {
            let answer = try await send(method, path, json: json)
            guard answer.status.code < 300 else {
                throw TestFailure("\(method) \(path): \(answer.status) \(String(decoding: answer.body, as: UTF8.self))")
            }
            return try Wire.makeDecoder().decode(T.self, from: answer.body)
        }

        func windows(_ instanceID: String) async throws -> [Wire.Licensing.TelemetryRecord] {
            try await decode([Wire.Licensing.TelemetryRecord].self, .GET, "/api/v1/admin/instances/\(instanceID)/telemetry?limit=500")
                .sorted { $0.windowStart < $1.windowStart }
        }
    }

    @Test("two hubs activate; limits, telemetry once each across a restart and an outage, suspension and key rotation")
    func licensedHubs() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let servicePort = try freeLoopbackPort()
        func startService(_ life: Int) throws -> StewardProcess {
            try StewardProcess(
                ["licensing", "--data-dir", directory.path + "/licensing", "--listen", "127.0.0.1:\(servicePort)"],
                environment: ["STEWARD_LICENSING_ADMIN_KEY": Self.adminKey], logPath: directory.path + "/licensing-\(life).log")
        }
        var service = try startService(1)
        let serviceURL = "http://127.0.0.1:\(servicePort)"
        _ = try await HubAPI.connect(to: service)
        #expect(service.output.contains("(from STEWARD_LICENSING_ADMIN_KEY)") && !service.output.contains(Self.adminKey))
        let admin = LicensingAPI(baseURL: serviceURL)
        let client = try await admin.decode(Wire.Licensing.Client.self, .POST, "/api/v1/admin/clients", json: #"{"name":"Acme Hosting"}"#)
        let licenseA = try await admin.decode(
            Wire.Licensing.IssuedLicense.self, .POST, "/api/v1/admin/clients/\(client.id)/instances",
            json: #"{"name":"eu-1","max_servers":1}"#)
        let licenseB = try await admin.decode(
            Wire.Licensing.IssuedLicense.self, .POST, "/api/v1/admin/clients/\(client.id)/instances",
            json: #"{"name":"us-1","max_users":1}"#)

        let hubPort = try freeLoopbackPort()
        func startHub(_ name: String, port: Int, key: String) throws -> StewardProcess {
            try StewardProcess(
                [
                    "hub", "--data-dir", directory.path + "/\(name)", "--listen", "127.0.0.1:\(port)", "--heartbeat-interval", "1",
                    "--no-builtin-catalog", "--license-server", serviceURL, "--telemetry-interval", "\(Self.interval)",
                ],
                environment: ["STEWARD_BOOTSTRAP_TOKEN": FleetEndToEndTests.ownerToken, "STEWARD_LICENSE_KEY": key],
                logPath: directory.path + "/\(name)-\(UUID().uuidString.prefix(4)).log")
        }
        var hubA = try startHub("hub-a", port: hubPort, key: licenseA.licenseKey)
        let hubB = try startHub("hub-b", port: 0, key: licenseB.licenseKey)
        var apiA = try await HubAPI.connect(to: hubA)
        let apiB = try await HubAPI.connect(to: hubB)
        #expect(!hubA.output.contains(licenseA.licenseKey))

        func status(_ api: HubAPI) async throws -> Wire.Licensing.HubStatus {
            try Wire.makeDecoder().decode(Wire.Licensing.HubStatus.self, from: try await api.request(.GET, "/api/v1/license").body)
        }
        try await eventually("hub A is activated") { try await status(apiA).instanceID == licenseA.instance.id }
        try await eventually("hub B is activated") { try await status(apiB).instanceID == licenseB.instance.id }
        let activeA = try await status(apiA)
        #expect(activeA.state == "active" && activeA.entitlements?.maxServers == 1)

        // max_servers 1: the first server enrolls, the second is refused with 402.
        let agent = try StewardProcess(
            ["agent", "--hub", apiA.baseURL, "--token", try await apiA.createToken(maxUses: 5), "--state-dir", directory.path + "/agent"],
            logPath: directory.path + "/agent.log")
        defer { agent.signal(SIGKILL) }
        try await eventually("the agent is online") { try await apiA.servers().contains { $0.status == .online } }
        func enroll(_ api: HubAPI) async throws -> (status: HTTPResponseStatus, body: Data) {
            let facts = Wire.Facts(
                osID: "debian", osVersion: "12", kernel: "6.1", architecture: "x86_64", cpuCount: 2, memoryBytes: 1 << 30,
                agentVersion: "0.1.0")
            let body = try Wire.makeEncoder().encode(
                Wire.Registration.Request(token: try await api.createToken(maxUses: 1), hostname: "second", facts: facts))
            // As an agent enrolls: with the token in the body, no operator's credentials.
            var request = HTTPClientRequest(url: api.baseURL + "/api/v1/agent/register")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            return (response.status, Data(try await response.body.collect(upTo: 1 << 20).readableBytesView))
        }
        let refused = try await enroll(apiA)
        #expect(refused.status.code == 402)
        #expect(try Wire.makeDecoder().decode(Wire.Problem.self, from: refused.body).code == "license_limit")
        // max_users 1 on hub B: the owner has the only seat.
        let invitation = try await apiB.request(
            .POST, "/api/v1/invitations", body: Data(#"{"email":"new@example.com","role":"viewer"}"#.utf8))
        #expect(invitation.status.code == 402)

        // Windows arrive, each once, end to start.
        try await eventually("hub A sends telemetry") { try await admin.windows(licenseA.instance.id).count >= 2 }

        // The service goes away: the hub works on; the windows of the outage arrive when it is back.
        await service.stop()
        try await Task.sleep(for: .seconds(3 * Self.interval))
        #expect(try await apiA.request(.GET, "/api/v1/servers").status == .ok)
        let before = try await status(apiA)
        #expect(before.state == "active")
        service = try startService(2)
        _ = try await HubAPI.connect(to: service)

        // The hub restarts: it keeps its activation and goes on where its windows stopped.
        await hubA.stop()
        hubA = try startHub("hub-a", port: hubPort, key: licenseA.licenseKey)
        apiA = try await HubAPI.connect(to: hubA)
        let reached = try await admin.windows(licenseA.instance.id).count
        try await eventually("windows after the restart", timeout: .seconds(30)) {
            try await admin.windows(licenseA.instance.id).count >= reached + 2
        }
        let windows = try await admin.windows(licenseA.instance.id)
        for (earlier, later) in zip(windows, windows.dropFirst()) {
            #expect(earlier.windowEnd == later.windowStart, "a gap or an overlap between windows")
        }
        #expect(Set(windows.map(\.windowStart)).count == windows.count)
        guard case .object(let body) = windows.last?.body else { throw TestFailure("no window body") }
        #expect(body["servers"] != nil && body["hub_version"] == .string(StewardVersion.current))
        #expect(hubA.output.components(separatedBy: "license activated").count == 1, "the restarted hub activated again")

        // Suspension is seen by the hub within an interval (and a margin for a loaded machine).
        _ = try await admin.send(.POST, "/api/v1/admin/instances/\(licenseA.instance.id)/suspend")
        try await eventually("hub A sees its suspension", timeout: .seconds(5 * Self.interval + 10)) {
            try await status(apiA).state == "suspended"
        }
        #expect(try await status(apiA).message?.contains("suspended") == true)
        #expect(try await apiA.request(.GET, "/api/v1/servers").status == .ok)
        _ = try await admin.send(.POST, "/api/v1/admin/instances/\(licenseA.instance.id)/reactivate")

        // A rotated telemetry key is refused at once; the hub activates again and sends on.
        _ = try await admin.send(.POST, "/api/v1/admin/instances/\(licenseA.instance.id)/rotate-hub-key")
        let afterRotation = try await admin.windows(licenseA.instance.id).count
        try await eventually("telemetry after the key's rotation", timeout: .seconds(30)) {
            try await admin.windows(licenseA.instance.id).count > afterRotation
        }
        #expect(hubA.output.contains("refused the telemetry key"))
        try await eventually("hub A is active again") { try await status(apiA).state == "active" }

        // The administrator key is replaced by a local command while the service runs: the old one stops at once.
        let rotate = try StewardProcess(
            ["licensing", "rotate-admin-key", "--data-dir", directory.path + "/licensing"], logPath: directory.path + "/rotate.log")
        #expect(try await rotate.waitForExit() == 0)
        let newKey = try #require(rotate.output.firstMatch(of: /admin key: (stw_adm_\S+)/).map { String($0.1) })
        #expect(try await admin.send(.GET, "/api/v1/admin/clients").status == .unauthorized)
        #expect(try await LicensingAPI(baseURL: serviceURL, adminKey: newKey).send(.GET, "/api/v1/admin/clients").status == .ok)

        await hubA.stop()
        await hubB.stop()
        await service.stop()

        // What would go next, exactly as it would: the allow-listed window, the server's host name nowhere.
        let preview = try StewardProcess(
            ["hub", "telemetry", "preview", "--data-dir", directory.path + "/hub-a"], logPath: directory.path + "/preview.log")
        #expect(try await preview.waitForExit() == 0)
        let printed = preview.output
        let json = try #require(printed.firstRange(of: "{").map { String(printed[$0.lowerBound...]) })
        let window = try Wire.makeDecoder().decode(JSONValue.self, from: Data(json.utf8))
        guard case .object(let fields) = window else { throw TestFailure("the preview is not an object: \(printed)") }
        #expect(fields["instance_id"] == .string(licenseA.instance.id))
        #expect(fields["servers"] != nil)
        // The agent enrolled with this machine's host name; servers are only counted.
        let hostname = ProcessInfo.processInfo.hostName
        #expect(hostname.count < 6 || !printed.contains(hostname))
    }
}
