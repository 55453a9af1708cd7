import Foundation
import HTTPTypes
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// The agent's job routes through the hub's router: what a heartbeat says about the attempts the
/// agent holds, odd query values, and jobs fixed when they were queued.
struct AgentJobAPITests {
    /// An enrolled agent's bearer value, and its server's id.
    static func agent(_ client: HubTestApp.Client) async throws -> (bearer: String, serverID: String) {
        let token = try await client.createToken()
        let credentials = try await client.enroll(token: token.token)
        return (Wire.AgentCredential(agentID: credentials.agentID, secret: credentials.agentSecret).bearerValue, credentials.serverID)
    }

    /// Queues a `file.read` step job (one attempt) and has the agent claim it.
    static func claimedReadJob(_ client: HubTestApp.Client, bearer: String, serverID: String) async throws -> Wire.JobEnvelope {
        var step = Wire.Job.Step(type: .fileRead)
        step.path = "/etc/hostname"
        let queued = try await client.send(.post, "/api/v1/jobs", body: Wire.Job.StepsRequest(serverID: serverID, steps: [step]))
        #expect(queued.status == .accepted, "\(queued.text)")
        let claimed = try await client.send(.post, "/api/v1/agent/jobs/next?wait=0", json: "{}", bearer: bearer)
        #expect(claimed.status == .ok, "\(claimed.text)")
        return try claimed.decode(Wire.JobEnvelope.self)
    }

    static func job(_ client: HubTestApp.Client, _ id: String) async throws -> Wire.Job.Info {
        try await client.send(.get, "/api/v1/jobs/\(id)").decode(Wire.Job.Info.self)
    }

    @Test("odd long-poll query values are a 400 with problem JSON, never a poll")
    func oddQueries() async throws {
        try await HubTestApp.run { client in
            let (bearer, _) = try await Self.agent(client)
            for query in [
                "wait=abc", "wait=-1", "wait=61", "wait=", "concurrency=abc", "concurrency=0", "concurrency=17", "wait=1e3", "run_id=",
                "run_id=../x",
                "run_id=\(String(repeating: "a", count: 65))",
            ] {
                let answer = try await client.send(.post, "/api/v1/agent/jobs/next?\(query)", json: "{}", bearer: bearer)
                #expect(answer.status == .badRequest, "\(query)")
                #expect(answer.headers[.contentType] == "application/problem+json", "\(query)")
                #expect(answer.problem?.code == "invalid_query", "\(query)")
            }
        }
    }

    @Test("an agent's first heartbeat after a start loses, at once, every attempt it does not hold")
    func freshStart() async throws {
        try await HubTestApp.run { client in
            let (bearer, serverID) = try await Self.agent(client)
            let envelope = try await Self.claimedReadJob(client, bearer: bearer, serverID: serverID)
            #expect(try await Self.job(client, envelope.jobID).status == .running)
            // An ordinary heartbeat that does not name the attempt leaves it to its lease.
            let plain = try await client.send(
                .post, "/api/v1/agent/heartbeat", body: Wire.Heartbeat.Request(facts: nil, running: []), bearer: bearer)
            #expect(plain.status == .ok)
            #expect(try await Self.job(client, envelope.jobID).status == .running)
            // The agent restarted: it holds nothing, and says so.
            let hello = try await client.send(
                .post, "/api/v1/agent/heartbeat",
                body: Wire.Heartbeat.Request(
                    facts: StoreTests.facts, running: [], freshStart: true,
                    abandoned: [.init(jobID: envelope.jobID, attempt: envelope.attempt)]),
                bearer: bearer)
            #expect(hello.status == .ok)
            let lost = try await Self.job(client, envelope.jobID)
            #expect(lost.status == .dead)
            #expect(
                lost.error == "attempt 1 was lost: the agent restarted while it ran; the agent stopped the processes it had left behind")
            // A result that comes late is taken as delivered, and changes nothing.
            let late = try await client.send(
                .post, "/api/v1/agent/jobs/\(envelope.jobID)/result", body: Wire.Job.Result(attempt: 1, exitCode: 0), bearer: bearer)
            #expect(late.status == .ok)
            #expect(try await Self.job(client, envelope.jobID).status == .dead)
        }
    }

    @Test("a long poll of an agent's earlier run takes no job once a newer run said hello: its process is gone")
    func supersededPoll() async throws {
        try await HubTestApp.run { client in
            let (bearer, serverID) = try await Self.agent(client)
            func hello(_ run: String) async throws {
                let answer = try await client.send(
                    .post, "/api/v1/agent/heartbeat", body: Wire.Heartbeat.Request(facts: nil, freshStart: true, runID: run), bearer: bearer
                )
                #expect(answer.status == .ok, "\(answer.text)")
            }
            try await hello("run-a")
            // Run a's poll waits (or, on a slow machine, starts late): either way it must not take the job.
            async let stale = client.send(.post, "/api/v1/agent/jobs/next?wait=10&run_id=run-a", json: "{}", bearer: bearer)
            try await hello("run-b")
            var step = Wire.Job.Step(type: .fileRead)
            step.path = "/etc/hostname"
            let queued = try await client.send(.post, "/api/v1/jobs", body: Wire.Job.StepsRequest(serverID: serverID, steps: [step]))
            let job = try queued.decode(Wire.Job.Info.self)
            let refused = try await stale
            #expect(refused.status == .conflict)
            #expect(refused.problem?.code == "superseded_run")
            #expect(try await Self.job(client, job.id).status == .queued)
            let current = try await client.send(.post, "/api/v1/agent/jobs/next?wait=0&run_id=run-b", json: "{}", bearer: bearer)
            #expect(current.status == .ok, "\(current.text)")
            #expect(try current.decode(Wire.JobEnvelope.self).jobID == job.id)
        }
    }

    @Test("a fresh start keeps the attempts the agent names: their results are still on their way")
    func freshStartKeepsHeld() async throws {
        try await HubTestApp.run { client in
            let (bearer, serverID) = try await Self.agent(client)
            let envelope = try await Self.claimedReadJob(client, bearer: bearer, serverID: serverID)
            let held = Wire.Heartbeat.AttemptRef(jobID: envelope.jobID, attempt: envelope.attempt)
            let hello = try await client.send(
                .post, "/api/v1/agent/heartbeat", body: Wire.Heartbeat.Request(facts: nil, running: [held], freshStart: true),
                bearer: bearer)
            #expect(hello.status == .ok)
            #expect(try await Self.job(client, envelope.jobID).status == .running)
            let result = try await client.send(
                .post, "/api/v1/agent/jobs/\(envelope.jobID)/result", body: Wire.Job.Result(attempt: 1, exitCode: 0), bearer: bearer)
            #expect(result.status == .ok)
            #expect(try await Self.job(client, envelope.jobID).status == .succeeded)
        }
    }

    @Test("heartbeats with malformed attempt lists are refused with every field named")
    func malformedHeartbeats() async throws {
        try await HubTestApp.run { client in
            let (bearer, _) = try await Self.agent(client)
            let many = (0...Wire.Heartbeat.Request.maxAttempts).map { Wire.Heartbeat.AttemptRef(jobID: "job-\($0)", attempt: 1) }
            let tooMany = try await client.send(
                .post, "/api/v1/agent/heartbeat", body: Wire.Heartbeat.Request(facts: nil, running: many), bearer: bearer)
            #expect(tooMany.status == .unprocessableContent)
            #expect(tooMany.problem?.errors?.map(\.field) == ["running"])
            let odd = try await client.send(
                .post, "/api/v1/agent/heartbeat",
                json:
                    #"{"running": [{"job_id": "x", "attempt": 0}, {"job_id": "../../etc", "attempt": 1}], "fresh_start": true, "run_id": "a b"}"#,
                bearer: bearer)
            #expect(odd.status == .unprocessableContent)
            #expect(odd.problem?.errors?.map(\.field) == ["running[0]", "running[1]", "run_id"])
        }
    }

    @Test("a long poll carries a heartbeat: the server is seen when it starts; a hello or a malformed list in it is refused")
    func pollCarriesHeartbeat() async throws {
        let clock = ManualClock()
        try await HubTestApp.run(clock: clock.hubClock) { client in
            let (bearer, serverID) = try await Self.agent(client)
            func lastSeen() async throws -> Date? {
                try await client.send(.get, "/api/v1/servers/\(serverID)").decode(Wire.Server.Info.self).lastSeenAt
            }
            clock.advance(by: 100)
            let poll = try await client.send(
                .post, "/api/v1/agent/jobs/next?wait=0", body: Wire.Heartbeat.Request(facts: nil, running: []), bearer: bearer)
            #expect(poll.status == .noContent, "\(poll.text)")
            // Keep-alives are written together, about a second later.
            try await eventually("the poll's keep-alive is written") { try await lastSeen() == clock.now }

            let hello = try await client.send(
                .post, "/api/v1/agent/jobs/next?wait=0", body: Wire.Heartbeat.Request(facts: nil, freshStart: true, runID: "run-a"),
                bearer: bearer)
            #expect(hello.status == .unprocessableContent)
            #expect(hello.problem?.errors?.map(\.field) == ["fresh_start"])
            let odd = try await client.send(
                .post, "/api/v1/agent/jobs/next?wait=0", json: #"{"running": [{"job_id": "../x", "attempt": 1}]}"#, bearer: bearer)
            #expect(odd.status == .unprocessableContent)
            #expect(odd.problem?.errors?.map(\.field) == ["running[0]"])
        }
    }

    @Test("a job runs the script it was queued with, even after the catalog changed; a retry runs it again")
    func fixedWhenQueued() async throws {
        let catalog = try TemporaryDirectory()
        defer { catalog.remove() }
        try FileManager.default.copyItem(atPath: Fixtures.validCatalog + "/webapp", toPath: catalog.path + "/webapp")
        let scriptPath = catalog.path + "/webapp/install.sh"
        let original = try Data(contentsOf: URL(fileURLWithPath: scriptPath))
        try await HubTestApp.run(catalogDirectories: [catalog.path]) { client in
            let (bearer, serverID) = try await Self.agent(client)
            let queued = try await client.send(
                .post, "/api/v1/apps/webapp/install",
                json: #"{"server_id": "\#(serverID)", "inputs": {"server_name": "example.com", "acme_email": "ops@example.com"}}"#)
            #expect(queued.status == .accepted, "\(queued.text)")
            let job = try queued.decode(Wire.Job.Info.self)
            // The catalog changes after the job was queued.
            try Data("#!/bin/sh\necho changed\n".utf8).write(to: URL(fileURLWithPath: scriptPath))

            func claimedScript() async throws -> Data? {
                let claimed = try await client.send(.post, "/api/v1/agent/jobs/next?wait=0", json: "{}", bearer: bearer)
                let envelope = try claimed.decode(Wire.JobEnvelope.self)
                let payload = try Wire.makeDecoder().decode(
                    Wire.Job.Payload.self, from: try #require(Data(base64Encoded: envelope.payload)))
                return payload.steps.first?.script.flatMap { Data(base64Encoded: $0) }
            }
            #expect(try await claimedScript() == original)
            let failed = try await client.send(
                .post, "/api/v1/agent/jobs/\(job.id)/result", body: Wire.Job.Result(attempt: 1, exitCode: 1), bearer: bearer)
            #expect(try failed.decode(Wire.Job.Info.self).status == .failed)
            let retry = try await client.send(.post, "/api/v1/jobs/\(job.id)/retry", json: "{}")
            #expect(retry.status == .accepted, "\(retry.text)")
            #expect(try await claimedScript() == original, "the retry runs the bytes that were queued, not the catalog's new ones")
        }
    }

    @Test("an output the app declares secret is sealed, masked in lists, and shown only in the job itself")
    func secretOutputs() async throws {
        try await HubTestApp.run { client in
            let (bearer, serverID) = try await Self.agent(client)
            let queued = try await client.send(
                .post, "/api/v1/apps/webapp/install",
                json: #"{"server_id": "\#(serverID)", "inputs": {"server_name": "example.com", "acme_email": "ops@example.com"}}"#)
            let job = try queued.decode(Wire.Job.Info.self)
            _ = try await client.send(.post, "/api/v1/agent/jobs/next?wait=0", json: "{}", bearer: bearer)
            let result = Wire.Job.Result(
                attempt: 1, exitCode: 0, outputs: ["admin_url": "https://example.com/admin", "admin_token": "tok-5e3ret"])
            let recorded = try await client.send(.post, "/api/v1/agent/jobs/\(job.id)/result", body: result, bearer: bearer)
            #expect(recorded.status == .ok, "\(recorded.text)")
            #expect(!recorded.text.contains("tok-5e3ret"), "the agent is not told the value back")

            let list = try await client.send(.get, "/api/v1/jobs").decode(Wire.ItemList<Wire.Job.Info>.self)
            let listed = try #require(list.items.first { $0.id == job.id })
            #expect(listed.outputs == ["admin_url": "https://example.com/admin", "admin_token": SecretMasker.mask])
            let detail = try await Self.job(client, job.id)
            #expect(detail.outputs == ["admin_url": "https://example.com/admin", "admin_token": "tok-5e3ret"])
            let app = try await client.send(.get, "/api/v1/apps/webapp").decode(Wire.App.Detail.self)
            #expect(app.secretOutputs == ["admin_token"])
        }
    }

    @Test(
        "NUL characters: an agent's log lines and results get U+FFFD in their place; an operator's request with one is a 400",
        arguments: TestDatabase.available)
    func nulCharacters(database: TestDatabase) async throws {
        try await HubTestApp.run(database: database) { client in
            let (bearer, serverID) = try await Self.agent(client)
            let envelope = try await Self.claimedReadJob(client, bearer: bearer, serverID: serverID)
            let logged = try await client.send(
                .post, "/api/v1/agent/jobs/\(envelope.jobID)/logs", json: #"{"attempt": 1, "lines": ["a\u0000b", "c\\u0000d"]}"#,
                bearer: bearer)
            #expect(logged.status.code < 300, "\(logged.text)")
            let finished = try await client.send(
                .post, "/api/v1/agent/jobs/\(envelope.jobID)/result",
                json: #"{"attempt": 1, "exit_code": 1, "refusal": "bad\u0000byte", "outputs": {}, "steps": []}"#, bearer: bearer)
            #expect(finished.status.code < 300, "\(finished.text)")
            let log = try await client.send(.get, "/api/v1/jobs/\(envelope.jobID)/logs").text
            #expect(log.contains("a\u{FFFD}b") && log.contains("c\\u0000d"), "\(log)")
            #expect(try await Self.job(client, envelope.jobID).status == .failed)

            for (method, path, body) in [
                ("POST", "/api/v1/auth/tokens", #"{"email": "owner@example.com", "password": "x", "tenant": "a\u0000"}"#),
                ("PATCH", "/api/v1/servers/\(serverID)", #"{"name": "web\u0000"}"#),
                ("POST", "/api/v1/invitations", #"{"email": "a\u0000@example.com", "role": "viewer"}"#),
            ] {
                let answer = try await client.send(.init(method)!, path, json: body)
                #expect(answer.status == .badRequest && answer.problem?.code == "nul_character", "\(path): \(answer.text)")
            }
            for path in ["/api/v1/servers/%00", "/api/v1/jobs?server=x%00", "/api/v1/tenants/%00"] {
                let answer = try await client.send(.get, path)
                #expect(answer.status == .badRequest && answer.problem?.code == "nul_character", "\(path): \(answer.text)")
            }
        }
    }
}
