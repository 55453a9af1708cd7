import Foundation
import HTTPTypes
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// The metrics routes refuse what they cannot take, saying why, and keep tenants apart.
struct MetricsAPITests {
    @Test(
        "bad reports and bad queries are 4xx with problem JSON and store nothing; another tenant's server is 404",
        arguments: TestDatabase.available)
    func badInput(database: TestDatabase) async throws {
        let clock = ManualClock()
        try await HubTestApp.run(database: database, clock: clock.hubClock) { client in
            let token = try await client.createToken()
            let agent = try await client.enroll(token: token.token)
            let bearer = Wire.AgentCredential(agentID: agent.agentID, secret: agent.agentSecret).bearerValue
            func report(_ values: [String: Double], at: Date) async throws -> HubTestApp.Client.Answer {
                try await client.send(
                    .post, "/api/v1/agent/metrics", body: Wire.Metrics.Report(samples: [.init(at: at, values: values)]), bearer: bearer)
            }
            for (values, at) in [
                (["CPU": 1.0], clock.now), (["cpu.percent{mount}": 1], clock.now), (["cpu.percent{a=b,a=c}": 1], clock.now),
                (["cpu.percent": 1], clock.now.addingTimeInterval(3600)),
            ] {
                let answer = try await report(values, at: at)
                #expect(answer.status == .unprocessableContent, "\(values): \(answer.text)")
                #expect(answer.headers[.contentType] == "application/problem+json")
            }
            let infinite = try await client.send(
                .post, "/api/v1/agent/metrics", json: #"{"samples": [{"at": "2027-01-15T08:00:00Z", "values": {"cpu.percent": 1e999}}]}"#,
                bearer: bearer)
            #expect([.badRequest, .unprocessableContent].contains(infinite.status), "\(infinite.text)")
            #expect(try await client.send(.post, "/api/v1/agent/metrics", json: "{}", bearer: nil).status == .unauthorized)
            #expect(try await report(["cpu.percent": 5], at: clock.now).status == .noContent)

            let path = "/api/v1/servers/\(agent.serverID)/metrics"
            for (query, status) in [
                ("", HTTPResponse.Status.unprocessableContent), ("?names=cpu.percent&step=x", .badRequest),
                ("?names=cpu.percent&from=yesterday", .badRequest), ("?names=Bad", .unprocessableContent),
                ("?names=cpu.percent&step=1&from=0", .unprocessableContent),
                ("?names=cpu.percent&from=2000000000&to=1000000000", .unprocessableContent),
            ] {
                let answer = try await client.send(.get, path + query)
                #expect(answer.status == status, "\(query): \(answer.text)")
                #expect(answer.headers[.contentType] == "application/problem+json", "\(query)")
            }
            let good = try await client.send(.get, path + "?names=cpu.percent&step=15").decode(Wire.Metrics.Query.self)
            #expect(good.series.first?.points.map(\.avg) == [5], "only the good sample was stored")

            #expect(try await client.send(.post, "/api/v1/tenants", json: #"{"name": "Acme", "slug": "acme"}"#).status == .created)
            let outsider = try await AccountAPITests.member(client, "out@example.com", role: .owner, tenantHeader: "acme")
            #expect(try await client.send(.get, path + "?names=cpu.percent", bearer: outsider).status == .notFound)
        }
    }

    @Test("a filesystem past 90 % is a disk.almost_full event, once a day per filesystem", arguments: TestDatabase.available)
    func fullDisk(database: TestDatabase) async throws {
        let clock = ManualClock()
        try await HubTestApp.run(database: database, clock: clock.hubClock) { client in
            let token = try await client.createToken()
            let agent = try await client.enroll(token: token.token)
            let bearer = Wire.AgentCredential(agentID: agent.agentID, secret: agent.agentSecret).bearerValue
            for (offset, percent) in [(0.0, 93.0), (15, 96), (30, 50)] {
                let values = [
                    Wire.Metrics.key("disk.used_percent", ["mount": "/"]): percent,
                    Wire.Metrics.key("disk.used_percent", ["mount": "/boot"]): 20,
                ]
                let sent = try await client.send(
                    .post, "/api/v1/agent/metrics",
                    body: Wire.Metrics.Report(samples: [.init(at: clock.now.addingTimeInterval(offset), values: values)]),
                    bearer: bearer)
                #expect(sent.status == .noContent)
            }
            let events = try await client.send(.get, "/api/v1/fleet-events?kind=disk.almost_full").decode(
                Wire.ItemList<Wire.Alerting.FleetEvent>.self
            ).items
            #expect(events.count == 1, "\(events)")
            #expect(events.first?.message == "the filesystem at / is 93 % full" && events.first?.severity == "warning")
            #expect(events.first?.serverID == agent.serverID)
        }
    }

    @Test(
        "containers: an agent's report is listed for the server; bad reports are 422; Docker's events become fleet events",
        arguments: TestDatabase.available)
    func containers(database: TestDatabase) async throws {
        try await HubTestApp.run(database: database) { client in
            let token = try await client.createToken()
            let agent = try await client.enroll(token: token.token)
            let bearer = Wire.AgentCredential(agentID: agent.agentID, secret: agent.agentSecret).bearerValue
            let path = "/api/v1/servers/\(agent.serverID)/containers"
            let before = try await client.send(.get, path).decode(Wire.Containers.List.self)
            #expect(before.items.isEmpty && before.reportedAt == nil)
            let web = AlertingStoreTests.container("web", state: "running", env: ["DB_PASSWORD=****", "MODE=prod"])
            let report = Wire.Containers.Report(
                containers: [web],
                events: [
                    .init(at: Date(), containerID: web.id, name: "web", action: "oom"),
                    .init(at: Date(), containerID: web.id, name: "web", action: "health_status", health: "healthy"),
                ])
            #expect(try await client.send(.post, "/api/v1/agent/containers", body: report, bearer: bearer).status == .ok)
            let listed = try await client.send(.get, path).decode(Wire.Containers.List.self)
            #expect(listed.items == [web] && listed.reportedAt != nil)
            let events = try await client.send(.get, "/api/v1/fleet-events?server_id=\(agent.serverID)").decode(
                Wire.ItemList<Wire.Alerting.FleetEvent>.self)
            #expect(events.items.map(\.kind) == ["container.oom"], "a healthy container is not an event")

            var bad = web
            bad.name = "../etc"
            let refused = try await client.send(
                .post, "/api/v1/agent/containers", body: Wire.Containers.Report(containers: [bad], events: []), bearer: bearer)
            #expect(refused.status == .unprocessableContent && refused.text.contains("containers[0].name"))
            #expect(try await client.send(.post, "/api/v1/agent/containers", body: report, bearer: nil).status == .unauthorized)
            #expect(try await client.send(.get, "/api/v1/servers/nope/containers").status == .notFound)
        }
    }
}
