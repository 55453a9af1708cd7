import AsyncHTTPClient
import Foundation
import NIOHTTP1
import StewardCore
import StewardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Host metrics from a real agent to a real hub: visible within two intervals, and kept by the agent
/// while the hub is down, then delivered with their original times.
@Suite(.serialized)
struct MetricsEndToEndTests {
    static let interval = 5

    func metrics(_ api: HubAPI, server: String, since: Date) async throws -> Wire.Metrics.Query {
        let from = Int(since.timeIntervalSince1970)
        let answer = try await api.request(
            .GET, "/api/v1/servers/\(server)/metrics?names=cpu.percent,memory.used_percent,load.1,disk.used_percent&from=\(from)&step=5")
        guard answer.status == .ok else { throw TestFailure("metrics: \(answer.status) \(String(decoding: answer.body, as: UTF8.self))") }
        return try Wire.makeDecoder().decode(Wire.Metrics.Query.self, from: answer.body)
    }

    @Test("an agent's metrics are visible within two intervals; samples taken while the hub was down arrive after it returns")
    func metricsFlow() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let port = try freeLoopbackPort()
        let hubArguments = ["hub", "--data-dir", directory.path + "/hub", "--listen", "127.0.0.1:\(port)", "--heartbeat-interval", "1"]
        var hub = try StewardProcess(
            hubArguments, environment: ["STEWARD_BOOTSTRAP_TOKEN": FleetEndToEndTests.ownerToken], logPath: directory.path + "/hub.log")
        var api = try await HubAPI.connect(to: hub)
        let token = try await api.createToken(maxUses: 1)
        let started = Date()
        let agent = try StewardProcess(
            [
                "agent", "--hub", api.baseURL, "--token", token, "--state-dir", directory.path + "/agent", "--metrics-interval",
                String(Self.interval),
            ], logPath: directory.path + "/agent.log")
        defer { agent.signal(SIGKILL) }
        try await eventually("the server is online") { try await api.servers().first?.status == .online }
        let server = try #require(try await api.servers().first).id

        let waited = try await eventually("CPU and memory series", timeout: .seconds(2 * Self.interval + 5)) {
            let query = try await metrics(api, server: server, since: started)
            return Set(query.series.map(\.name)).isSuperset(of: ["cpu.percent", "memory.used_percent", "load.1"])
        }
        let first = try await metrics(api, server: server, since: started)
        #expect(first.resolution == "raw" && first.step == 5)
        let memory = try #require(first.series.first { $0.name == "memory.used_percent" }?.points.first)
        #expect((0...100).contains(memory.avg) && memory.min <= memory.avg && memory.avg <= memory.max)
        print("metrics visible \(waited) after the agent started (interval \(Self.interval) s)")

        // The hub goes away for three intervals; the agent keeps what it samples meanwhile.
        hub.signal(SIGTERM)
        #expect(try await hub.waitForExit() == 0)
        let outage = Date()
        try await Task.sleep(for: .seconds(3 * Self.interval))
        let back = Date()
        hub = try StewardProcess(hubArguments, logPath: directory.path + "/hub-again.log")
        api = try await HubAPI.connect(to: hub)
        try await eventually("the samples of the outage", timeout: .seconds(2 * Self.interval + 10)) {
            let query = try await metrics(api, server: server, since: started)
            let cpu = query.series.first { $0.name == "cpu.percent" }?.points ?? []
            return cpu.filter { $0.at > outage && $0.at < back }.count >= 2
        }
        #expect(agent.output.contains("cannot deliver metrics; keeping them"))
        #expect(agent.isRunning)
        hub.signal(SIGTERM)
        _ = try await hub.waitForExit()
    }
}
