import Foundation
import HTTPTypes
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardHub

/// A server's metric charts on its console page, drawn by the hub from what its agent reported.
struct ConsoleMetricsTests {
    @Test("a server's page draws CPU, memory, disk and network charts as accessible SVG; labels from agents are escaped")
    func charts() async throws {
        let clock = ManualClock()
        try await HubTestApp.run(clock: clock.hubClock) { client in
            let token = try await client.createToken()
            let agent = try await client.enroll(token: token.token)
            let bearer = Wire.AgentCredential(agentID: agent.agentID, secret: agent.agentSecret).bearerValue
            let samples = (0..<20).map { index in
                Wire.Metrics.Sample(
                    at: clock.now.addingTimeInterval(Double(index - 20) * 15),
                    values: [
                        "cpu.percent": Double(index * 5), "memory.used_percent": 40,
                        Wire.Metrics.key("disk.used_percent", ["mount": "/srv/<b>"]): 70,
                        Wire.Metrics.key("network.rx_bytes", ["interface": "eth0"]): 2048,
                    ])
            }
            let sent = try await client.send(.post, "/api/v1/agent/metrics", body: Wire.Metrics.Report(samples: samples), bearer: bearer)
            #expect(sent.status == .noContent, "\(sent.text)")

            let api = try await client.send(.get, "/api/v1/servers/\(agent.serverID)/metrics?names=cpu.percent&step=60")
            let query = try api.decode(Wire.Metrics.Query.self)
            #expect(query.resolution == "1m", "a minute step reads minute roll-ups")
            #expect(
                try await client.send(.get, "/api/v1/servers/\(agent.serverID)/metrics?names=cpu.percent&step=15").decode(
                    Wire.Metrics.Query.self
                ).series.first?.points.count == 20)

            let browser = ConsoleTests.Browser(client)
            _ = try await browser.signIn()
            let page = try await browser.get("/servers/\(agent.serverID)")
            #expect(page.status == .ok)
            for title in ["CPU", "Memory", "Disks", "Network"] { #expect(page.text.contains("data-chart=\"\(title)\""), "\(title)") }
            #expect(page.text.contains("<title id=\"chart-cpu-title\">CPU</title>"))
            #expect(page.text.contains("cpu.percent: now 92.5 %, lowest 0.0 %, highest 95.0 %"), "the description says the figures")
            #expect(page.text.contains("/srv/&lt;b&gt;") && !page.text.contains("/srv/<b>"), "a mount point cannot inject markup")
            #expect(page.text.contains("<polyline"))
            let week = try await browser.get("/servers/\(agent.serverID)?range=7d")
            #expect(week.text.contains("aria-current=\"page\">7d</a>"))

            let fragment = try await browser.get("/servers/\(agent.serverID)?fragment=charts&range=1h")
            #expect(fragment.status == .ok && fragment.text.contains("data-chart=\"CPU\"") && !fragment.text.contains("<html"))
            #expect(page.text.contains("data-live-charts=\"\(agent.serverID)\" data-range=\"1h\""))

            let other = try await browser.get("/servers/\(agent.serverID)?range=bogus")
            #expect(other.status == .ok && other.text.contains("aria-current=\"page\">1h</a>"))
        }
    }

    @Test("a server's page lists its containers; an operator's button queues a container step, a viewer gets none")
    func containers() async throws {
        try await HubTestApp.run { client in
            let token = try await client.createToken()
            let agent = try await client.enroll(token: token.token)
            let bearer = Wire.AgentCredential(agentID: agent.agentID, secret: agent.agentSecret).bearerValue
            let report = Wire.Containers.Report(
                containers: [AlertingStoreTests.container("web", state: "running", health: "healthy")], events: [])
            #expect(try await client.send(.post, "/api/v1/agent/containers", body: report, bearer: bearer).status == .ok)
            let browser = ConsoleTests.Browser(client)
            _ = try await browser.signIn()
            let page = try await browser.get("/servers/\(agent.serverID)")
            #expect(page.text.contains("data-container=\"web\"") && page.text.contains("/containers/web/restart"))
            let queued = try await browser.post(
                "/servers/\(agent.serverID)/containers/web/restart", ["_csrf": try ConsoleTests.Browser.csrf(in: page.text)])
            #expect(queued.status == .seeOther && queued.headers[.location]?.hasPrefix("/jobs/") == true)
            let jobs = try await client.send(.get, "/api/v1/jobs").decode(Wire.ItemList<Wire.Job.Info>.self).items
            #expect(jobs.first?.steps.first?.container == "web" && jobs.first?.steps.first?.action == "restart")
            let bad = try await browser.post(
                "/servers/\(agent.serverID)/containers/web/explode", ["_csrf": try ConsoleTests.Browser.csrf(in: page.text)])
            #expect(bad.status == .notFound)

            _ = try await AccountAPITests.member(client, "viewer@example.com", role: .viewer)
            let viewer = ConsoleTests.Browser(client)
            _ = try await viewer.signIn(email: "viewer@example.com", password: AccountAPITests.password)
            let seen = try await viewer.get("/servers/\(agent.serverID)")
            #expect(seen.text.contains("data-container=\"web\"") && !seen.text.contains("/containers/web/restart"))
        }
    }
}
