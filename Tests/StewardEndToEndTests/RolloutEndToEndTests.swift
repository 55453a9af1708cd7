import Foundation
import NIOHTTP1
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// Rollouts through a real hub and three real agents picked by a label: one that fails everywhere
/// stops after `max_failures`, one that works runs on every server.
@Suite(.serialized)
struct RolloutEndToEndTests {
    @Test(
        "a rollout over three agents selected by label stops after max_failures; a good one reaches all three",
        arguments: TestDatabase.available)
    func rollout(database: TestDatabase) async throws {
        try await database.withFreshLocation { (location: DatabaseLocation) -> Void in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            var arguments = [
                "hub", "--data-dir", directory.path + "/hub", "--listen", "127.0.0.1:0", "--heartbeat-interval", "1",
                "--no-builtin-catalog", "--catalog", Fixtures.jobsCatalog,
            ]
            if case .postgresql(url: let url) = location { arguments += ["--database-url", url] }
            let hub = try StewardProcess(
                arguments, environment: ["STEWARD_BOOTSTRAP_TOKEN": FleetEndToEndTests.ownerToken, "LOG_LEVEL": "debug"],
                logPath: directory.path + "/hub.log")
            let api = try await HubAPI.connect(to: hub)
            let tokenBody = try Wire.makeEncoder().encode(Wire.RegistrationToken.CreateRequest(maxUses: 3, labels: ["env": "prod"]))
            let token = try Wire.makeDecoder().decode(
                Wire.RegistrationToken.Created.self, from: try await api.request(.POST, "/api/v1/registration-tokens", body: tokenBody).body
            ).token
            var agents: [StewardProcess] = []
            for index in 0..<3 {
                agents.append(
                    try StewardProcess(
                        ["agent", "--hub", api.baseURL, "--token", token, "--state-dir", directory.path + "/agent-\(index)"],
                        logPath: directory.path + "/agent-\(index).log"))
            }
            do {
                try await eventually("three agents are online") { try await api.servers().filter { $0.status == .online }.count == 3 }
                func rollout(exitCode: Int, batchSize: Int, maxFailures: Int) async throws -> Wire.Rollouts.Info {
                    let body = """
                        {"action": "steps", "selector": {"labels": {"env": "prod"}}, "batch_size": \(batchSize), "max_failures": \(maxFailures),
                         "steps": [{"type": "script", "app": "probe", "role": "install",
                                    "inputs": {"marker": "\(directory.path)/marker-\(exitCode)", "exit_code": "\(exitCode)"}}]}
                        """
                    let created = try await api.post("/api/v1/rollouts", body: body)
                    #expect(created.status == .created, "\(String(decoding: created.body, as: UTF8.self))")
                    let info = try Wire.makeDecoder().decode(Wire.Rollouts.Info.self, from: created.body)
                    #expect(info.servers.count == 3)
                    var latest = info
                    try await eventually("rollout \(info.id) ends", timeout: .seconds(60)) {
                        latest = try Wire.makeDecoder().decode(
                            Wire.Rollouts.Info.self, from: try await api.request(.GET, "/api/v1/rollouts/\(info.id)").body)
                        return latest.status != "running"
                    }
                    return latest
                }

                let failing = try await rollout(exitCode: 1, batchSize: 1, maxFailures: 1)
                #expect(failing.status == "failed")
                #expect(failing.servers.map(\.status) == ["failed", "failed", "skipped"], "stopped after the second failure")
                let runs = try String(contentsOfFile: directory.path + "/marker-1", encoding: .utf8).split(separator: "\n").count
                #expect(runs == 2, "the third server never ran it")
                for target in failing.servers.prefix(2) {
                    let job = try await api.job(try #require(target.jobID))
                    #expect(job.status == .failed)
                    #expect(job.requestedBy == "admin@localhost", "as the operator who made the rollout")
                }

                let good = try await rollout(exitCode: 0, batchSize: 3, maxFailures: 0)
                #expect(good.status == "succeeded")
                #expect(good.servers.map(\.status) == ["succeeded", "succeeded", "succeeded"])
                #expect(Set(good.servers.map(\.batch)) == [0], "one batch of three")
                #expect(try await api.text("/api/v1/audit").contains("rollout.create"))
            } catch {
                for agent in agents { await agent.stop() }
                await hub.stop()
                print("--- hub log ---\n" + hub.output.split(separator: "\n").suffix(40).joined(separator: "\n"))
                throw error
            }
            for agent in agents { await agent.stop() }
            await hub.stop()
        }
    }
}
