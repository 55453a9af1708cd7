import Foundation
import NIOHTTP1
import StewardCore
import StewardTestSupport
import Testing

/// A real agent watching a Docker engine (a stand-in speaking the Engine API on a unix socket):
/// its containers reach the hub with secret values masked on the agent, Docker's events become
/// fleet events, a container rule fires, and container steps act through the API within the
/// agent's policy. (scripts/docker-test does the same against a real Docker in a Debian test host.)
@Suite(.serialized)
struct ContainersEndToEndTests {
    static let fakeDocker = Fixtures.repositoryRoot + "/Tests/StewardEndToEndTests/Fixtures/fake-docker.py"

    @Test("containers, masked environments, events, a container alert and container steps, from a real agent")
    func containers() async throws {
        let docker = try FixtureServer(script: Self.fakeDocker)
        let files = try TemporaryDirectory()
        defer { files.remove() }
        let policy = files.path + "/policy.yml"
        try "containers: { actions: [restart, logs], names: [\"^(web|sick)$\"] }\n".write(toFile: policy, atomically: true, encoding: .utf8)
        let arguments = [
            "--policy", policy, "--docker-socket", docker.directory.path + "/docker.sock", "--containers-interval", "5",
            "--metrics-interval", "0",
        ]
        try await JobsEndToEndTests.withFleet(.sqlite, agentArguments: arguments) { api, serverID, _, _, agent in
            let path = "/api/v1/servers/\(serverID)/containers"
            try await eventually("the containers at the hub") {
                try Wire.makeDecoder().decode(Wire.Containers.List.self, from: try await api.request(.GET, path).body).items.count == 3
            }
            let text = try await api.text(path)
            #expect(!text.contains("hunter2-very-secret") && !text.contains("tok-123456"), "secret values never leave the server")
            let list = try Wire.makeDecoder().decode(Wire.Containers.List.self, from: Data(text.utf8))
            let web = try #require(list.items.first { $0.name == "web" })
            #expect(web.env == ["PATH=/usr/bin", "DB_PASSWORD=****", "MODE=production"])
            #expect(
                web.state == "running" && web.health == "healthy" && web.ports == ["0.0.0.0:8080->80/tcp"] && web.memoryBytes == 12 << 20)
            #expect(list.items.first { $0.name == "sick" }?.health == "unhealthy")
            #expect(list.items.first { $0.name == "exits" }?.exitCode == 3)
            #expect(!agent.output.contains("hunter2-very-secret"))

            try await eventually("Docker's events as fleet events") {
                let kinds = try Wire.makeDecoder().decode(
                    Wire.ItemList<Wire.Alerting.FleetEvent>.self, from: try await api.request(.GET, "/api/v1/fleet-events").body
                ).items.map(\.kind)
                return kinds.contains("container.died") && kinds.contains("container.unhealthy")
            }
            let rule = try await api.request(.POST, "/api/v1/alert-rules", body: Data(#"{"name": "containers", "kind": "container"}"#.utf8))
            #expect(rule.status == .created, "\(String(decoding: rule.body, as: UTF8.self))")
            let logRule = try await api.request(
                .POST, "/api/v1/log-rules", body: Data(#"{"name": "errors", "pattern": "\\bERROR\\b", "sources": ["container"]}"#.utf8))
            #expect(logRule.status == .created, "\(String(decoding: logRule.body, as: UTF8.self))")
            try await eventually("the log rule's match in sick's log tail", timeout: .seconds(30)) {
                let events = try Wire.makeDecoder().decode(
                    Wire.ItemList<Wire.Alerting.FleetEvent>.self,
                    from: try await api.request(.GET, "/api/v1/fleet-events?kind=log.matched").body
                ).items
                return events.contains { $0.message.contains("container sick") && $0.message.contains("token ****") }
            }
            #expect(
                !(try await api.text("/api/v1/fleet-events")).contains("tok-123456"), "the agent masks the container's secrets in its log")
            try await eventually("the container alerts", timeout: .seconds(30)) {
                let alerts = try Wire.makeDecoder().decode(
                    Wire.ItemList<Wire.Alerting.Alert>.self, from: try await api.request(.GET, "/api/v1/alerts?state=firing").body
                ).items
                return Set(alerts.map(\.subject)) == ["sick", "exits"]
            }

            // Container steps: within the policy they run; outside it they are refused on the agent.
            let restart = try #require(
                try await StepJobsEndToEndTests.steps(
                    api, server: serverID, [["type": "container", "action": "restart", "container": "web"]]
                ).job)
            #expect(try await api.waitForJob(restart.id) { $0.status.isFinal }.status == .succeeded)
            #expect(try String(contentsOfFile: docker.directory.path + "/actions.log", encoding: .utf8).contains("POST restart web"))
            let logs = try #require(
                try await StepJobsEndToEndTests.steps(
                    api, server: serverID, [["type": "container", "action": "logs", "container": "web", "tail": 3]]
                ).job)
            let done = try await api.waitForJob(logs.id) { $0.status.isFinal }
            #expect(done.status == .succeeded)
            #expect(done.stepResults.first?.content == "web line 498\nweb line 499\nweb line 500\n", "\(done.stepResults)")
            let removal = try #require(
                try await StepJobsEndToEndTests.steps(
                    api, server: serverID, [["type": "container", "action": "remove", "container": "web"]]
                ).job)
            let refused = try await api.waitForJob(removal.id) { $0.status.isFinal }
            #expect(
                refused.status != .succeeded && refused.error?.contains("not allowed by this agent's policy") == true,
                "\(refused.error ?? "")")
            let bad = try await StepJobsEndToEndTests.steps(
                api, server: serverID, [["type": "container", "action": "explode", "container": "../x"]])
            #expect(bad.status == .unprocessableEntity && bad.body.contains("steps[0].action") && bad.body.contains("steps[0].container"))
        }
    }
}
