import Foundation
import NIOHTTP1
import StewardCore
import StewardTestSupport
import Testing

/// A seeded fuzz run of every route of a real hub over raw sockets: malformed and mistyped bodies,
/// hostile framing, odd path and query values, wrong credentials. No answer may be a 5xx, every API
/// error must be problem JSON, and the hub must be healthy at the end. `STEWARD_FUZZ_SEED` replays a
/// run; `STEWARD_FUZZ_REQUESTS` sets its length (default 1,500).
@Suite(.serialized)
struct APIFuzzEndToEndTests {
    enum Auth { case none, owner, agent }

    struct Route {
        var method: String
        /// `{id}` is replaced by a real id or a hostile one.
        var path: String
        var auth: Auth
        /// A valid body, which the fuzzer mutates.
        var body: String?
        /// Query parameters and values a valid request could have.
        var query: [String: [String]] = [:]
    }

    @Test("fuzzing every route with hostile bodies, framing, paths and queries gives no 5xx and only problem JSON")
    func fuzz() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["STEWARD_FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...(1 << 48))
        let count = environment["STEWARD_FUZZ_REQUESTS"].flatMap(Int.init) ?? 1500
        print("fuzz: seed \(seed), \(count) requests (replay with STEWARD_FUZZ_SEED=\(seed))")
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let port = try freeLoopbackPort()
        let hub = try StewardProcess(
            [
                "hub", "--data-dir", directory.path + "/hub", "--listen", "127.0.0.1:\(port)", "--no-builtin-catalog",
                "--catalog", Fixtures.jobsCatalog,
            ],
            environment: ["STEWARD_BOOTSTRAP_TOKEN": FleetEndToEndTests.ownerToken], logPath: directory.path + "/hub.log")
        let api = try await HubAPI.connect(to: hub)
        // An enrolled "agent" (its credentials only) and a real job, so that ids can be real too.
        let token = try await api.createToken(maxUses: 1)
        let registration = try Wire.makeEncoder().encode(
            Wire.Registration.Request(
                token: token, hostname: "fuzz-1",
                facts: .init(
                    osID: "debian", osVersion: "12", kernel: "6.1", architecture: "x86_64", cpuCount: 2, memoryBytes: 1 << 30,
                    agentVersion: "0.1.0")))
        let head =
            "POST /api/v1/agent/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(registration.count)\r\nConnection: close\r\n\r\n"
        let registered = try #require(try RawHTTP.exchange(port: port, Data(head.utf8) + registration))
        let enrolled = try Wire.makeDecoder().decode(Wire.Registration.Response.self, from: registered.body)
        let agentBearer = Wire.AgentCredential(agentID: enrolled.agentID, secret: enrolled.agentSecret).bearerValue
        let job = try await api.install("probe", server: enrolled.serverID, inputs: ["marker": .text(directory.path + "/marker")])

        let routes = Self.routes(serverID: enrolled.serverID, jobID: job.id)
        var statuses: [Int: Int] = [:]
        var closed = 0
        var refusedByParser = 0
        var failures: [String] = []
        for index in 0..<count {
            let route = routes[Int.random(in: 0..<routes.count, using: &random)]
            let ids = [job.id, enrolled.serverID, "probe", job.installationID ?? "", "00000000-0000-0000-0000-000000000000"]
            let (request, hostile, summary) = Self.request(
                route, ids: ids, owner: FleetEndToEndTests.ownerToken, agent: agentBearer, random: &random)
            // A truncated body is waited for by the hub until the client gives up: do not wait long.
            let answer = try RawHTTP.exchange(port: port, request, timeout: hostile ? 1 : 10)
            guard let answer else {
                closed += 1
                if !hostile { failures.append("#\(index) \(summary): the connection closed without an answer") }
                continue
            }
            statuses[answer.status, default: 0] += 1
            // What is not valid HTTP (two lengths, a NUL in the method, a 200 KB header) never reaches a
            // route: NIO's parser answers a bare 400 and closes the connection.
            if hostile, answer.status == 400, answer.body.isEmpty, answer.contentType.isEmpty {
                refusedByParser += 1
                continue
            }
            if answer.status >= 500 {
                failures.append("#\(index) \(summary): \(answer.status) \(String(decoding: answer.body.prefix(300), as: UTF8.self))")
            }
            if route.path.hasPrefix("/api/"), answer.status >= 400, !answer.contentType.hasPrefix("application/problem+json") {
                failures.append("#\(index) \(summary): \(answer.status) as \(answer.contentType)")
            }
            if failures.count > 20 { break }
        }
        let health = try await api.request(.GET, "/api/v1/health")
        print(
            "fuzz: seed \(seed): statuses \(statuses.sorted { $0.key < $1.key }), \(refusedByParser) refused by the HTTP parser, \(closed) connections closed unanswered"
        )
        await hub.stop()
        let report = failures.joined(separator: "\n")
        #expect(failures.isEmpty, "seed \(seed):\n\(report)")
        #expect(health.status == .ok, "the hub is healthy after the run")
        #expect(!hub.output.contains("Fatal error"), "the hub did not crash")
    }

    static func routes(serverID: String, jobID: String) -> [Route] {
        let step = #"{"server_id": "\#(serverID)", "steps": [{"type": "file.read", "path": "/etc/hostname"}]}"#
        return [
            Route(method: "GET", path: "/api/v1/health", auth: .none),
            Route(
                method: "POST", path: "/api/v1/agent/register", auth: .none,
                body:
                    #"{"token": "stw_reg_x", "hostname": "h", "facts": {"os_id": "debian", "os_version": "12", "kernel": "6", "architecture": "x86_64", "cpu_count": 1, "memory_bytes": 1, "agent_version": "1"}}"#
            ),
            Route(
                method: "POST", path: "/api/v1/agent/heartbeat", auth: .agent,
                body: #"{"running": [{"job_id": "\#(jobID)", "attempt": 1}], "fresh_start": false}"#),
            Route(
                method: "POST", path: "/api/v1/agent/jobs/next", auth: .agent, body: "{}",
                query: ["wait": ["0", "abc", "-1", "99999999999999999999", ""], "concurrency": ["1", "0", "x", "17"]]),
            Route(method: "POST", path: "/api/v1/agent/jobs/{id}/logs", auth: .agent, body: #"{"attempt": 1, "lines": ["hello"]}"#),
            Route(method: "POST", path: "/api/v1/agent/jobs/{id}/result", auth: .agent, body: #"{"attempt": 1, "exit_code": 0}"#),
            Route(
                method: "POST", path: "/api/v1/agent/metrics", auth: .agent,
                body: #"{"samples": [{"at": "2026-12-02T12:00:00Z", "values": {"cpu.percent": 12.5, "disk.used_percent{mount=/}": 40}}]}"#),
            Route(
                method: "GET", path: "/api/v1/servers/{id}/metrics", auth: .owner,
                query: [
                    "names": ["cpu.percent", "cpu.percent,load.1", "", "BAD{", "disk.used_percent{mount=/}"],
                    "from": ["0", "-1", "2026-12-02T00:00:00Z", "x"], "to": ["99999999999", "1e300", ""], "step": ["1", "0", "60", "x"],
                ]),
            Route(method: "GET", path: "/api/v1/registration-tokens", auth: .owner),
            Route(method: "POST", path: "/api/v1/registration-tokens", auth: .owner, body: #"{"max_uses": 1, "labels": {"a": "b"}}"#),
            Route(method: "DELETE", path: "/api/v1/registration-tokens/{id}", auth: .owner),
            Route(method: "GET", path: "/api/v1/servers", auth: .owner),
            Route(method: "GET", path: "/api/v1/servers/{id}", auth: .owner),
            Route(method: "PATCH", path: "/api/v1/servers/{id}", auth: .owner, body: #"{"name": "web", "labels": {"env": "prod"}}"#),
            Route(
                method: "GET", path: "/api/v1/servers/{id}/config", auth: .owner,
                query: ["path": ["/etc/hostname", "relative", "/a/../b", ""]]),
            Route(
                method: "GET", path: "/api/v1/servers/{id}/config/diff", auth: .owner,
                query: ["from": ["x", "", "%00"], "to": ["y", "%2F..%2F"]]),
            Route(method: "GET", path: "/api/v1/servers/{id}/config/export", auth: .owner),
            Route(method: "POST", path: "/api/v1/servers/{id}/config/check", auth: .owner),
            Route(
                method: "POST", path: "/api/v1/servers/{id}/config/versions/{id}/restore", auth: .owner,
                body: #"{"confirm": "/etc/hostname"}"#),
            Route(method: "GET", path: "/api/v1/audit", auth: .owner, query: ["limit": ["5", "-1", "x"], "before": ["1", "abc"]]),
            Route(method: "GET", path: "/api/v1/apps", auth: .owner),
            Route(method: "GET", path: "/api/v1/apps/{id}", auth: .owner),
            Route(method: "POST", path: "/api/v1/apps/{id}/validate", auth: .owner, body: #"{"inputs": {"marker": "/tmp/x"}}"#),
            Route(
                method: "POST", path: "/api/v1/apps/{id}/install", auth: .owner,
                body: #"{"server_id": "\#(serverID)", "inputs": {"marker": "/tmp/x"}}"#),
            Route(method: "POST", path: "/api/v1/apps/{id}/uninstall", auth: .owner, body: #"{"server_id": "\#(serverID)"}"#),
            Route(method: "GET", path: "/api/v1/jobs", auth: .owner, query: ["status": ["failed", "bogus"], "server": [serverID, "x"]]),
            Route(method: "POST", path: "/api/v1/jobs", auth: .owner, body: step),
            Route(method: "GET", path: "/api/v1/jobs/{id}", auth: .owner),
            Route(
                method: "GET", path: "/api/v1/jobs/{id}/logs", auth: .owner,
                query: ["offset": ["0", "-5", "x", "99999999999999999999"], "tail": ["10", "0", "y"], "follow": ["0", "maybe"]]),
            Route(method: "POST", path: "/api/v1/jobs/{id}/cancel", auth: .owner),
            Route(method: "POST", path: "/api/v1/jobs/{id}/retry", auth: .owner, body: #"{"inputs": {}}"#),
            Route(method: "GET", path: "/api/v1/events", auth: .owner, query: ["kind": ["job.queued", "bogus"]]),
            Route(method: "GET", path: "/api/v1/installations", auth: .owner, query: ["server": [serverID, "x", ""]]),
            Route(method: "GET", path: "/api/v1/installations/{id}", auth: .owner),
            Route(method: "PATCH", path: "/api/v1/installations/{id}", auth: .owner, body: #"{"health_interval_seconds": 300}"#),
            Route(method: "GET", path: "/api/v1/installations/{id}/health", auth: .owner),
            Route(method: "GET", path: "/api/v1/installations/{id}/backups", auth: .owner),
            Route(method: "POST", path: "/api/v1/installations/{id}/upgrade", auth: .owner),
            Route(method: "POST", path: "/api/v1/installations/{id}/reconfigure", auth: .owner, body: #"{"inputs": {"marker": "/tmp/y"}}"#),
            Route(method: "POST", path: "/api/v1/installations/{id}/uninstall", auth: .owner),
            Route(method: "POST", path: "/api/v1/installations/{id}/backup", auth: .owner),
            Route(
                method: "POST", path: "/api/v1/installations/{id}/restore", auth: .owner, body: #"{"backup_id": "x", "confirm": "probe"}"#),
            Route(method: "POST", path: "/api/v1/installations/{id}/check-health", auth: .owner),
            Route(method: "POST", path: "/api/v1/installations/{id}/credentials", auth: .owner),
            Route(method: "GET", path: "/api/v1/rollouts", auth: .owner),
            Route(method: "GET", path: "/api/v1/rollouts/{id}", auth: .owner),
            Route(
                method: "POST", path: "/api/v1/rollouts", auth: .owner,
                body:
                    #"{"action": "steps", "steps": [{"type": "file.read", "path": "/etc/hostname"}], "selector": {"labels": {"env": "prod"}}, "batch_size": 2, "max_failures": 1}"#
            ),
            Route(method: "POST", path: "/api/v1/rollouts/{id}/cancel", auth: .owner),
            Route(method: "GET", path: "/api/v1/schedules", auth: .owner),
            Route(method: "GET", path: "/api/v1/schedules/{id}", auth: .owner),
            Route(
                method: "POST", path: "/api/v1/schedules", auth: .owner,
                body:
                    #"{"cron": "*/5 * * * *", "time_zone": "Europe/Berlin", "action": {"server_id": "\#(serverID)", "steps": [{"type": "file.read", "path": "/etc/hostname"}]}}"#
            ),
            Route(method: "PATCH", path: "/api/v1/schedules/{id}", auth: .owner, body: #"{"cron": "@daily", "enabled": false}"#),
            Route(method: "DELETE", path: "/api/v1/schedules/{id}", auth: .owner),
            Route(method: "POST", path: "/api/v1/auth/tokens", auth: .none, body: #"{"email": "nobody@example.com", "password": "x"}"#),
            Route(
                method: "POST", path: "/api/v1/invitations/accept", auth: .none,
                body: #"{"token": "stw_inv_x", "name": "n", "password": "p"}"#),
            Route(method: "GET", path: "/api/v1/users", auth: .owner),
            Route(method: "PATCH", path: "/api/v1/users/{id}", auth: .owner, body: #"{"role": "viewer"}"#),
            Route(method: "DELETE", path: "/api/v1/users/{id}", auth: .owner, body: #"{"confirm": "x"}"#),
            Route(method: "GET", path: "/api/v1/invitations", auth: .owner),
            Route(method: "POST", path: "/api/v1/invitations", auth: .owner, body: #"{"email": "new@example.com", "role": "viewer"}"#),
            Route(method: "DELETE", path: "/api/v1/invitations/{id}", auth: .owner),
            Route(method: "GET", path: "/api/v1/api-tokens", auth: .owner),
            Route(method: "POST", path: "/api/v1/api-tokens", auth: .owner, body: #"{"name": "fuzz", "role": "viewer"}"#),
            Route(method: "DELETE", path: "/api/v1/api-tokens/{id}", auth: .owner),
            Route(method: "POST", path: "/api/v1/me/password", auth: .owner, body: #"{"current_password": "x", "new_password": "y"}"#),
            Route(method: "POST", path: "/api/v1/me/totp/confirm", auth: .owner, body: #"{"otp": "123456"}"#),
            Route(method: "POST", path: "/api/v1/me/totp/backup-codes", auth: .owner, body: #"{"otp": "123456"}"#),
            Route(method: "DELETE", path: "/api/v1/me/totp", auth: .owner, body: #"{"otp": "123456"}"#),
            Route(method: "GET", path: "/api/v1/me/sessions", auth: .owner),
            Route(method: "DELETE", path: "/api/v1/me/sessions/{id}", auth: .owner),
            Route(method: "GET", path: "/api/v1/me/sign-ins", auth: .owner),
            Route(method: "GET", path: "/api/v1/tenants", auth: .owner),
            Route(method: "POST", path: "/api/v1/tenants", auth: .owner, body: #"{"name": "Fuzz", "slug": "fuzz"}"#),
            Route(method: "PATCH", path: "/api/v1/tenants/{id}", auth: .owner, body: #"{"name": "Renamed", "max_users": 3}"#),
            Route(method: "DELETE", path: "/api/v1/tenants/{id}", auth: .owner, body: #"{"confirm": "fuzz"}"#),
            Route(method: "GET", path: "/login", auth: .none),
            Route(method: "GET", path: "/servers/{id}", auth: .none),
            Route(method: "POST", path: "/jobs/{id}/cancel", auth: .none, body: "_csrf=x"),
        ]
    }

    /// A request for `route`, mutated: the bytes, whether its framing is hostile (so that closing the
    /// connection without an answer is fair), and a line describing it for failures.
    static func request(
        _ route: Route, ids: [String], owner: String, agent: String, random: inout SplitMix64
    ) -> (Data, hostile: Bool, summary: String) {
        func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }
        func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

        let hostileIDs = [
            "", "%00", "..%2F..%2Fetc%2Fpasswd", String(repeating: "a", count: 5000), "%FF%FE", "%F0%9F%98%80", "'%20OR%201=1--",
            "%0d%0aX-Injected:%201", "-1", "null",
        ]
        var path = route.path.replacingOccurrences(of: "{id}", with: chance(60) ? pick(ids) : pick(hostileIDs))
        var query = route.query.compactMap { key, values in chance(70) ? "\(key)=\(chance(80) ? pick(values) : pick(hostileIDs))" : nil }
        // Long polls must not hold the run: `next` always says how long to wait.
        if route.path.hasSuffix("/next"), !query.contains(where: { $0.hasPrefix("wait=") }) { query.append("wait=0") }
        if route.path == "/api/v1/jobs/{id}/logs", query.contains("follow=1") { query.removeAll { $0 == "follow=1" } }
        if chance(10) { query.append("\(pick(["x", "wait", "offset", "%00"]))=\(pick(hostileIDs))") }
        if !query.isEmpty { path += "?" + query.joined(separator: "&") }
        if route.path == "/api/v1/events" { path += (query.isEmpty ? "?" : "&") + "server=none-such" }

        var body = Data((route.body ?? "").utf8)
        if chance(50) { body = mutate(body, random: &random) }
        var headers: [(String, String)] = [("Host", "127.0.0.1")]
        switch route.auth {
        case .none: break
        case .owner:
            headers.append(
                ("Authorization", chance(90) ? "Bearer \(owner)" : pick(["Bearer x", "Basic abc", "Bearer ", "Bearer \(agent)"])))
        case .agent:
            headers.append(("Authorization", chance(90) ? "Bearer \(agent)" : pick(["Bearer a:b", "Bearer :", "Bearer \(owner)"])))
        }
        headers.append(
            (
                "Content-Type",
                route.path.hasPrefix("/api/")
                    ? pick(["application/json", "application/json", "text/plain"]) : "application/x-www-form-urlencoded"
            ))
        headers.append(("Connection", "close"))

        var method = route.method
        var hostile = false
        var framing = "content-length"
        var head = ""
        var tail = body
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<70:
            if !body.isEmpty || method != "GET" { headers.append(("Content-Length", String(body.count))) }
        case 70..<76:
            framing = "chunked"
            headers.append(("Transfer-Encoding", "chunked"))
            tail = Data((String(body.count, radix: 16) + "\r\n").utf8) + body + Data("\r\n0\r\n\r\n".utf8)
        case 76..<80:
            framing = "bad chunk"
            hostile = true
            headers.append(("Transfer-Encoding", "chunked"))
            tail = Data(pick(["zz\r\nhello\r\n0\r\n\r\n", "5\r\nhi\r\n0\r\n\r\n", "-1\r\n\r\n", "ffffffffffffffffff\r\nx"]).utf8)
        case 80..<84:
            framing = "content-length \(pick(["abc", "-1", "99999999999", "1, 2", "1e3"]))"
            hostile = true
            headers.append(("Content-Length", String(framing.dropFirst("content-length ".count))))
        case 84..<87:
            framing = "huge content-length"
            hostile = true
            headers.append(("Content-Length", String(64 << 20)))
        case 87..<90:
            framing = "two content-lengths"
            hostile = true
            headers.append(("Content-Length", String(body.count)))
            headers.append(("Content-Length", String(body.count + 5)))
        case 90..<93:
            framing = "huge header"
            hostile = true
            headers.append(("X-Filler", String(repeating: "x", count: 200_000)))
            headers.append(("Content-Length", String(body.count)))
        case 93..<96:
            framing = "odd method"
            hostile = true
            method = pick(["BREW", "GET\u{0}", "TRACE", "CONNECT", "OPTIONS"])
            headers.append(("Content-Length", String(body.count)))
        default:
            framing = "truncated body"
            hostile = true
            headers.append(("Content-Length", String(body.count + 100)))
        }
        head = "\(method) \(path) HTTP/1.1\r\n" + headers.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
        let summary = "\(method) \(path.prefix(120)) [\(framing), \(body.count) bytes]"
        return (Data(head.utf8) + tail, hostile, summary)
    }

    /// A mutated body: wrong types, missing or unknown keys, truncation, garbage, depth, size.
    static func mutate(_ body: Data, random: inout SplitMix64) -> Data {
        func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }
        let text = String(decoding: body, as: UTF8.self)
        switch Int.random(in: 0..<9, using: &random) {
        case 0: return Data(text.prefix(max(0, text.count / 2)).utf8)
        case 1: return Data((0..<Int.random(in: 1...512, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
        case 2: return Data((String(repeating: "[", count: pick([600, 20_000])) + String(repeating: "]", count: 600)).utf8)
        case 3: return Data(#"{"x": ""#.utf8) + Data(repeating: UInt8(ascii: "a"), count: pick([1000, 900_000])) + Data(#""}"#.utf8)
        case 4: return Data(pick(["null", "[]", "0", "\"s\"", "{}", "true", ""]).utf8)
        case 5:
            // Every value replaced by one of another type.
            let replaced = text.replacing(/"[^"]*"\s*:\s*("[^"]*"|\d+|true|false|null)/) { match in
                let key = match.output.0.split(separator: ":")[0]
                return
                    "\(key): \(pick(["123", "-1", "1e309", "null", "[]", "{}", "true", "\"\\u0000\"", "\"\\ud800\"", "99999999999999999999"]))"
            }
            return Data(replaced.utf8)
        case 6: return Data(text.replacingOccurrences(of: "{", with: #"{"unknown_key": [1, {"deep": null}], "#).utf8)
        case 7: return Data((text + "\u{0}garbage").utf8)
        default: return Data(text.replacingOccurrences(of: "1", with: "-99999999999999999999").utf8)
        }
    }
}
