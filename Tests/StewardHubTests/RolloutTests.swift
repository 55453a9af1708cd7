import Foundation
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardHub

/// Rollouts on both databases, through the services and a manual clock: batches in order, a pause
/// between them, a stop after `max_failures`, cancellation, and bad requests.
struct RolloutTests {
    /// `count` servers labelled `env=prod` with `webapp` installed (their names sort in order).
    static func fleet(_ harness: ServiceHarness, count: Int) async throws -> [String] {
        var servers: [String] = []
        for index in 0..<count {
            let installation = try await harness.installed(labels: ["env": "prod", "n": "\(index)"])
            _ = try await harness.store.updateServer(
                id: installation.serverID, tenantID: Store.defaultTenant, name: "web-\(index)", labels: ["env": "prod"],
                at: harness.clock.now, audit: StoreTests.audit("server.update"))
            servers.append(installation.serverID)
        }
        return servers
    }

    static func healthSteps() -> [Wire.Job.Step] {
        var step = Wire.Job.Step(type: .script)
        step.app = "webapp"
        step.role = "health"
        step.inputs = ["server_name": "shop.example.com", "acme_email": "ops@example.com"]
        return [step]
    }

    @Test(
        "batches run in order with a pause between them, and the rollout stops once more than max_failures servers failed",
        arguments: TestDatabase.available)
    func batches(database: TestDatabase) async throws {
        try await database.withStore { store in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let harness = try ServiceHarness(store: store, keysIn: directory.path)
            let servers = try await Self.fleet(harness, count: 5)
            _ = try await JobStoreTests.server(store)  // unlabelled: never picked
            let rollout = try await harness.rollouts.create(
                .init(
                    action: "steps", steps: Self.healthSteps(), selector: .init(labels: ["env": "prod"]), batchSize: 2, maxFailures: 1,
                    pauseSeconds: 60),
                by: harness.owner)
            var info = try await harness.rollouts.info(rollout.id, tenantID: Store.defaultTenant)
            #expect(info.servers.map(\.serverID) == servers, "every labelled server, by name")
            #expect(info.servers.map(\.batch) == [0, 0, 1, 1, 2])
            #expect(info.servers.map(\.status) == ["queued", "queued", "pending", "pending", "pending"], "the first batch at once")
            let job = try #require(try await store.job(id: info.servers[0].jobID ?? ""))
            #expect(job.kind == .step(.script))
            #expect(job.requestedBy == "owner@example.com")

            // One failure of the first batch is within max_failures.
            try await harness.finishNext(on: servers[0], exitCode: 0)
            try await harness.finishNext(on: servers[1], exitCode: 1)
            try await harness.rollouts.advance(try #require(try await store.rollout(id: rollout.id, tenantID: Store.defaultTenant)))
            info = try await harness.rollouts.info(rollout.id, tenantID: Store.defaultTenant)
            #expect(info.servers.map(\.status) == ["succeeded", "failed", "pending", "pending", "pending"], "the pause begins")
            #expect(info.failures == 1)
            harness.clock.advance(by: 59)
            try await harness.rollouts.advance(try #require(try await store.rollout(id: rollout.id, tenantID: Store.defaultTenant)))
            #expect(try await harness.rollouts.info(rollout.id, tenantID: Store.defaultTenant).servers[2].status == "pending")
            harness.clock.advance(by: 1)
            // Two hubs move it on at once: the second batch is queued once.
            let stored = try #require(try await store.rollout(id: rollout.id, tenantID: Store.defaultTenant))
            async let first: Void = harness.rollouts.advance(stored)
            async let second: Void = harness.rollouts.advance(stored)
            _ = try await (first, second)
            info = try await harness.rollouts.info(rollout.id, tenantID: Store.defaultTenant)
            #expect(info.servers.map(\.status) == ["succeeded", "failed", "queued", "queued", "pending"])
            for server in servers[2...3] {
                #expect(
                    try await store.jobs(tenantID: Store.defaultTenant, serverID: server, status: .queued, appID: nil, limit: 10).count == 1
                )
            }

            // A second failure is one too many: the last server is skipped and the rollout fails.
            try await harness.finishNext(on: servers[2], exitCode: 1)
            try await harness.finishNext(on: servers[3], exitCode: 0)
            try await harness.rollouts.advance(try #require(try await store.rollout(id: rollout.id, tenantID: Store.defaultTenant)))
            info = try await harness.rollouts.info(rollout.id, tenantID: Store.defaultTenant)
            #expect(info.status == "failed")
            #expect(info.failures == 2)
            #expect(info.servers.map(\.status) == ["succeeded", "failed", "failed", "succeeded", "skipped"])
            #expect(info.servers[1].error?.isEmpty == false)
            #expect(info.finishedAt != nil)
            #expect(
                try await store.jobs(tenantID: Store.defaultTenant, serverID: servers[4], status: .queued, appID: nil, limit: 10).isEmpty)
        }
    }

    @Test("an upgrade rollout leaves out servers without the app; on_failure continue goes to the end; cancel stops what is left")
    func upgradeContinueAndCancel() async throws {
        try await TestDatabase.sqlite.withStore { store in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let harness = try ServiceHarness(store: store, keysIn: directory.path)
            let servers = try await Self.fleet(harness, count: 3)
            let bare = try await JobStoreTests.server(store)
            _ = try await store.updateServer(
                id: bare, tenantID: Store.defaultTenant, name: "web-9", labels: ["env": "prod"], at: harness.clock.now,
                audit: StoreTests.audit("server.update"))
            // webapp 2.1.0 is installed everywhere: each upgrade is refused as up to date, a failure per server.
            let upgrade = try await harness.rollouts.create(
                .init(action: "upgrade", appID: "webapp", selector: .init(labels: ["env": "prod"]), maxFailures: 0, onFailure: "continue"),
                by: harness.owner)
            for _ in 0..<4 {
                try await harness.rollouts.advance(try #require(try await store.rollout(id: upgrade.id, tenantID: Store.defaultTenant)))
            }
            var info = try await harness.rollouts.info(upgrade.id, tenantID: Store.defaultTenant)
            #expect(info.servers.map(\.status) == ["failed", "failed", "failed", "skipped"], "continue: every server tried")
            #expect(info.servers[0].error?.contains("up_to_date") == true || info.servers[0].error?.contains("installed already") == true)
            #expect(info.servers[3].error == "webapp is not installed here")
            #expect(info.status == "failed")

            let steps = try await harness.rollouts.create(
                .init(action: "steps", steps: Self.healthSteps(), selector: .init(labels: ["env": "prod"])), by: harness.owner)
            info = try await harness.rollouts.cancel(steps.id, by: harness.owner)
            #expect(info.status == "cancelled")
            #expect(info.servers.map(\.status) == ["cancelled", "cancelled", "cancelled", "cancelled"])
            let job = try #require(try await store.job(id: info.servers[0].jobID ?? ""))
            #expect(job.status == .cancelled, "its queued job was cancelled too")
            await #expect(throws: APIError.self) { _ = try await harness.rollouts.cancel(steps.id, by: harness.owner) }
            _ = servers
        }
    }

    @Test("bad rollouts are refused with every field named, and a selector that picks nothing too")
    func badInput() async throws {
        try await TestDatabase.sqlite.withStore { store in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let harness = try ServiceHarness(store: store, keysIn: directory.path)
            func fields(_ request: Wire.Rollouts.Request) async -> [String] {
                await ServiceHarness.refusedFields { _ = try await harness.rollouts.create(request, by: harness.owner) }
            }
            #expect(
                await fields(
                    .init(
                        action: "deploy", selector: .init(labels: [:]), batchSize: 0, maxFailures: -1, pauseSeconds: 90_000,
                        onFailure: "panic"))
                    == ["action", "batch_size", "max_failures", "pause_seconds", "on_failure", "selector.labels"])
            let inputs = await fields(
                .init(action: "install", appID: "webapp", inputs: ["workers": "0"], selector: .init(labels: ["env": "prod"])))
            #expect(Set(inputs) == ["inputs.acme_email", "inputs.server_name", "inputs.workers"], "every input problem at once")
            #expect(await fields(.init(action: "install", appID: "nope", selector: .init(labels: ["env": "prod"]))) == ["app_id"])
            #expect(await fields(.init(action: "steps", selector: .init(labels: ["env": "prod"]))) == ["steps"])
            #expect(
                await fields(.init(action: "steps", steps: Self.healthSteps(), selector: .init(labels: ["env": "nowhere"]))) == [
                    "selector.labels"
                ])
            #expect(try await store.rollouts(tenantID: Store.defaultTenant).isEmpty)
        }
    }
}
