import Foundation
import HTTPTypes
import Logging
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardHub

/// `/api/v1/installations` through the hub's router, with an agent's results posted to the agent
/// routes: what an install leaves, bad input, one change at a time, credentials, and the health
/// schedule on an injected clock.
struct InstallationAPITests {
    static let install =
        #"{"inputs": {"server_name": "shop.example.com", "acme_email": "ops@example.com", "api_key": "typed-api-key-value"}}"#

    /// Installs `webapp` on a fresh agent's server and has the agent report success: the installation.
    static func installed(_ client: HubTestApp.Client) async throws -> (Wire.Installations.Item, bearer: String) {
        let (bearer, serverID) = try await AgentJobAPITests.agent(client)
        let queued = try await client.send(
            .post, "/api/v1/apps/webapp/install", json: "{\"server_id\": \"\(serverID)\", " + install.dropFirst())
        #expect(queued.status == .accepted, "\(queued.text)")
        let job = try queued.decode(Wire.Job.Info.self)
        try await finish(client, job.id, bearer: bearer, exitCode: 0, outputs: ["admin_url": "https://shop.example.com/admin"])
        let list = try await client.send(.get, "/api/v1/installations?server=\(serverID)").decode(
            Wire.ItemList<Wire.Installations.Item>.self)
        let installation = try #require(list.items.first)
        #expect(installation.id == job.installationID)
        return (installation, bearer)
    }

    /// The agent claims the next job, which must be `id`, and reports how it ended.
    static func finish(
        _ client: HubTestApp.Client, _ id: String, bearer: String, exitCode: Int, outputs: [String: String] = [:]
    ) async throws {
        let claimed = try await client.send(.post, "/api/v1/agent/jobs/next?wait=0", json: "{}", bearer: bearer)
        #expect(try claimed.decode(Wire.JobEnvelope.self).jobID == id)
        let result = Wire.Job.Result(attempt: 1, exitCode: exitCode, outputs: outputs)
        #expect(try await client.send(.post, "/api/v1/agent/jobs/\(id)/result", body: result, bearer: bearer).status == .ok)
    }

    @Test("an install leaves an installation: inputs masked, outputs, version; its upgrade is refused as up to date")
    func listing() async throws {
        try await HubTestApp.run { client in
            let (installation, _) = try await Self.installed(client)
            #expect(installation.appID == "webapp")
            #expect(installation.status == "installed")
            #expect(installation.version == "2.1.0")
            #expect(!installation.upgradeAvailable)
            #expect(installation.inputs["API_KEY"] == SecretMasker.mask)
            #expect(installation.inputs["ADMIN_PASSWORD"] == SecretMasker.mask)
            #expect(installation.inputs["SERVER_NAME"] == "shop.example.com")
            #expect(installation.outputs["admin_url"] == "https://shop.example.com/admin")
            #expect(installation.healthIntervalSeconds == 300)
            let shown = try await client.send(.get, "/api/v1/installations/\(installation.id)")
            #expect(try shown.decode(Wire.Installations.Item.self) == installation)
            #expect(!shown.text.contains("typed-api-key-value"))
            let upgrade = try await client.send(.post, "/api/v1/installations/\(installation.id)/upgrade")
            #expect(upgrade.status == .conflict)
            #expect(upgrade.problem?.code == "up_to_date")
            #expect(try await client.send(.get, "/api/v1/installations/nope").status == .notFound)
        }
    }

    @Test("bad input is a 4xx with every field named, and changes nothing")
    func badInput() async throws {
        try await HubTestApp.run { client in
            let (installation, _) = try await Self.installed(client)
            let base = "/api/v1/installations/\(installation.id)"
            for (method, path, json, status, field) in [
                (
                    HTTPRequest.Method.patch, "", #"{"health_interval_seconds": 5}"#, HTTPResponse.Status.unprocessableContent,
                    "health_interval_seconds"
                ),
                (.patch, "", #"{"health_interval_seconds": "often"}"#, .unprocessableContent, "health_interval_seconds"),
                (.post, "/reconfigure", #"{"inputs": {}}"#, .unprocessableContent, "inputs"),
                (.post, "/reconfigure", #"{"inputs": {"nope": "x", "workers": 999}}"#, .unprocessableContent, "inputs.nope"),
                (.post, "/reconfigure", "{not json", .badRequest, nil),
                (.post, "/restore", #"{"backup_id": "b1"}"#, .unprocessableContent, "confirm"),
                (.post, "/restore", #"{"backup_id": "b1", "confirm": "webapp"}"#, .unprocessableContent, "backup_id"),
                (.post, "/restore", #"{"confirm": "webapp"}"#, .unprocessableContent, "backup_id"),
            ] as [(HTTPRequest.Method, String, String, HTTPResponse.Status, String?)] {
                let answer = try await client.send(method, base + path, json: json)
                #expect(answer.status == status, "\(method) \(path) \(json): \(answer.text)")
                #expect(answer.headers[.contentType] == "application/problem+json")
                if let field { #expect(answer.problem?.errors?.contains { $0.field == field } == true, "\(answer.text)") }
            }
            let both = try await client.send(.post, base + "/reconfigure", json: #"{"inputs": {"nope": "x", "workers": 999}}"#)
            #expect(both.problem?.errors?.map(\.field).sorted() == ["inputs.nope", "inputs.workers"], "every field at once")
            let backup = try await client.send(.post, base + "/backup")
            #expect(backup.status == .conflict)
            #expect(backup.problem?.code == "no_backup")
            let jobs = try await client.send(.get, "/api/v1/jobs").decode(Wire.ItemList<Wire.Job.Info>.self)
            #expect(jobs.items.count == 1, "only the install: nothing was queued")
            let unchanged = try await client.send(.get, base).decode(Wire.Installations.Item.self)
            #expect(unchanged.healthIntervalSeconds == 300)
            // Operators cannot make backup or restore steps of their own: only an installation's jobs have them.
            var step = Wire.Job.Step(type: .restore)
            step.app = "webapp"
            step.installation = installation.id
            step.backupID = "b1"
            step.paths = ["/etc/passwd"]
            let forged = try await client.send(
                .post, "/api/v1/jobs", body: Wire.Job.StepsRequest(serverID: installation.serverID, steps: [step]))
            #expect(forged.status == .unprocessableContent)
            #expect(forged.problem?.errors?.contains { $0.field == "steps[0].type" } == true)
        }
    }

    @Test("one change at a time: a second while the first is queued is 409 installation_busy; a reconfigure keeps the new inputs")
    func oneAtATime() async throws {
        try await HubTestApp.run { client in
            let (installation, bearer) = try await Self.installed(client)
            let base = "/api/v1/installations/\(installation.id)"
            let first = try await client.send(.post, base + "/reconfigure", json: #"{"inputs": {"title": "New title"}}"#)
            #expect(first.status == .accepted, "\(first.text)")
            let job = try first.decode(Wire.Job.Info.self)
            #expect(job.kind == "install")
            #expect(job.installationID == installation.id)
            #expect(job.inputs["API_KEY"] == SecretMasker.mask, "the stored secret goes with it, masked")
            let second = try await client.send(.post, base + "/uninstall")
            #expect(second.status == .conflict)
            #expect(second.problem?.code == "installation_busy")
            #expect(try await client.send(.get, base).decode(Wire.Installations.Item.self).status == "installing")

            try await Self.finish(client, job.id, bearer: bearer, exitCode: 0)
            let after = try await client.send(.get, base).decode(Wire.Installations.Item.self)
            #expect(after.status == "installed")
            #expect(after.inputs["TITLE"] == "New title")
            let credentials = try await client.send(.post, base + "/credentials").decode(Wire.Installations.Credentials.self)
            #expect(credentials.inputs["api_key"] == "typed-api-key-value", "kept through the reconfigure")
            #expect(credentials.inputs["admin_password"]?.count == 24)
            let audit = try await client.send(.get, "/api/v1/audit?action=installation.credentials")
            #expect(audit.text.contains("installation.credentials"))
            #expect(!audit.text.contains("typed-api-key-value"))

            // The uninstall runs with the stored inputs and removes it.
            let uninstall = try await client.send(.post, base + "/uninstall")
            #expect(uninstall.status == .accepted)
            try await Self.finish(client, try uninstall.decode(Wire.Job.Info.self).id, bearer: bearer, exitCode: 0)
            #expect(try await client.send(.get, base).decode(Wire.Installations.Item.self).status == "removed")
            let gone = try await client.send(.get, "/api/v1/installations").decode(Wire.ItemList<Wire.Installations.Item>.self)
            #expect(gone.items.isEmpty)
            #expect(try await client.send(.post, base + "/credentials").decode(Wire.Installations.Credentials.self).inputs.isEmpty)
        }
    }

    @Test("the health schedule queues a check when it falls due on the hub's clock, once, and not while another job acts")
    func healthSchedule() async throws {
        let clock = ManualClock()
        try await TestDatabase.sqlite.withStore { store in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let catalog = try AppCatalog.load(directories: [Fixtures.validCatalog], skipInvalid: false, logger: TestDatabase.logger)
            let keys = try HubKeys.loadOrCreate(in: directory.path, environment: [:])
            let jobs = JobService(
                store: store, catalog: catalog, keys: keys, events: EventBus(), clock: clock.hubClock, settings: .init(),
                logger: TestDatabase.logger, logScanner: LogScanner(store: store, clock: clock.hubClock, logger: TestDatabase.logger))
            let schedule = HealthSchedule(
                installations: InstallationService(jobs: jobs), interval: .seconds(15), ready: StartupGate(), logger: TestDatabase.logger)

            let serverID = try await JobStoreTests.server(store)
            let owner = Requester(
                identity: .init(userID: "u", tenantID: Store.defaultTenant, email: "owner@example.com", role: .owner, credentialID: "c"),
                sourceAddress: "127.0.0.1")
            let install = try await jobs.queueApp(
                .install, appID: "webapp",
                body: .init(serverID: serverID, inputs: ["server_name": "shop.example.com", "acme_email": "ops@example.com"]), by: owner)
            let claimed = try #require(try await store.claimNextJob(serverID: serverID, now: clock.now, lease: 60))
            _ = try await jobs.recordResult(.init(attempt: 1, exitCode: 0), for: claimed)
            #expect(await schedule.round().isEmpty, "not due yet")

            clock.advance(by: 299)
            #expect(await schedule.round().isEmpty)
            clock.advance(by: 1)
            let due = await schedule.round()
            #expect(due.map(\.kind) == [.app(.health)])
            #expect(due.first?.installationID == install.installationID)
            #expect(due.first?.requestedBy == HealthSchedule.requester)
            #expect(await schedule.round().isEmpty, "taken once")

            // The check still waits: the next due time passes without a second one.
            clock.advance(by: 300)
            #expect(await schedule.round().isEmpty, "one check of an installation waits or runs at a time")
            let check = try #require(try await store.claimNextJob(serverID: serverID, now: clock.now, lease: 60))
            _ = try await jobs.recordResult(.init(attempt: 1, exitCode: 1), for: check)
            let installation = try #require(try await store.installation(id: install.installationID ?? "", tenantID: Store.defaultTenant))
            #expect(installation.lastHealth?.healthy == false)
            #expect(installation.lastHealth?.exitCode == 1)
            clock.advance(by: 300)
            #expect(await schedule.round().count == 1)
        }
    }
}
