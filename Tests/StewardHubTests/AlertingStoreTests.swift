import Foundation
import SQLKit
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardHub

/// Alert rules evaluated against stored servers, metrics and jobs at times the test chooses, on
/// both databases: when alerts fire, resolve and notify, and what the outbox holds.
struct AlertingStoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// An enrolled server that heartbeated at `t0`.
    static func server(_ store: Store, hostname: String = "web-1", tenant: String = Store.defaultTenant) async throws -> ServerRecord {
        let value = "stw_reg_" + UUID().uuidString
        var token = StoreTests.tokenRecord(value)
        token.tenantID = tenant
        try await store.createRegistrationToken(token, audit: StoreTests.audit("registration_token.create", tenant: tenant))
        guard case .success(let server) = try await store.enroll(StoreTests.enrollment(value, hostname: hostname), at: t0) else {
            throw TestFailure("enrollment failed")
        }
        try await store.recordHeartbeat(serverID: server.id, facts: nil, at: t0)
        return server
    }

    static func channel(_ store: Store, tenant: String = Store.defaultTenant) async throws -> NotificationChannelRecord {
        let channel = NotificationChannelRecord(
            id: UUID().uuidString.lowercased(), tenantID: tenant, name: "ops-\(UUID().uuidString.prefix(6))", type: .webhook,
            urlShown: "http://127.0.0.1:9/hook", sealedConfig: "sealed", hasSecret: true, createdAt: t0)
        #expect(try await store.createChannel(channel, audit: StoreTests.audit("notification_channel.create", tenant: tenant)))
        return channel
    }

    @discardableResult
    static func evaluate(_ store: Store, at now: Date) async throws -> [AlertChange] {
        try #require(
            try await store.evaluateAlerts(now: now, metricsSince: now.addingTimeInterval(-180), jobsSince: now.addingTimeInterval(-86_400))
            {
                AlertEvaluation.changes($0, now: now)
            })
    }

    @Test(
        "keep-alives written in a batch: every server is seen, only the offline ones come back, each with one event",
        arguments: TestDatabase.available)
    func keepAliveBatch(database: TestDatabase) async throws {
        try await database.withStore { store in
            let servers = [try await Self.server(store, hostname: "a"), try await Self.server(store, hostname: "b")]
            let gone = try await store.markSilentServersOffline(cutoff: Self.t0.addingTimeInterval(1), at: Self.t0.addingTimeInterval(60))
            #expect(Set(gone.map(\.id)) == Set(servers.map(\.id)))
            let third = try await Self.server(store, hostname: "c")
            let later = Self.t0.addingTimeInterval(120)
            #expect(try await store.recordHeartbeats(serverIDs: [], at: later).isEmpty)
            let back = try await store.recordHeartbeats(serverIDs: servers.map(\.id) + [third.id], at: later)
            #expect(Set(back.map(\.id)) == Set(servers.map(\.id)), "the third was online all along")
            for server in servers + [third] {
                #expect(try await store.server(id: server.id, tenantID: Store.defaultTenant)?.lastSeenAt == later)
            }
            let events = try await store.fleetEvents(tenantID: Store.defaultTenant, kind: "server.online", limit: 10)
            #expect(events.filter { $0.createdAt == later }.compactMap(\.serverID).sorted() == servers.map(\.id).sorted())
            // Written again: nobody comes back twice.
            #expect(try await store.recordHeartbeats(serverIDs: servers.map(\.id), at: later.addingTimeInterval(15)).isEmpty)
            // More servers than one statement binds.
            let many = (0..<1_200).map { "no-such-server-\($0)" } + [third.id]
            #expect(try await store.recordHeartbeats(serverIDs: many, at: later.addingTimeInterval(30)).isEmpty)
            #expect(try await store.server(id: third.id, tenantID: Store.defaultTenant)?.lastSeenAt == later.addingTimeInterval(30))
        }
    }

    @Test(
        "an offline rule: pending, fires after for_seconds from going offline, resolves on return, quiet within its cooldown",
        arguments: TestDatabase.available)
    func offlineRule(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await Self.server(store)
            let channel = try await Self.channel(store)
            let rule = AlertRuleRecord(
                id: "rule-offline", tenantID: Store.defaultTenant, name: "server down", kind: .offline, forSeconds: 60,
                cooldownSeconds: 600,
                channelIDs: [channel.id], createdAt: Self.t0)
            #expect(try await store.createRule(rule, audit: StoreTests.audit("alert_rule.create")))
            #expect(try await store.createRule(rule, audit: StoreTests.audit("alert_rule.create")) == false, "names are unique")
            #expect(try await Self.evaluate(store, at: Self.t0.addingTimeInterval(10)).isEmpty, "online: nothing")

            let went = Self.t0.addingTimeInterval(50)
            #expect(try await store.markSilentServersOffline(cutoff: Self.t0.addingTimeInterval(46), at: went).map(\.id) == [server.id])
            let pending = try await Self.evaluate(store, at: went.addingTimeInterval(10))
            #expect(pending.map(\.alert.state) == [.pending] && pending[0].deliveries.isEmpty)
            #expect(pending[0].alert.startedAt == went, "counted from the moment it went offline")
            #expect(try await store.alerts(tenantID: Store.defaultTenant, limit: 10).isEmpty, "pending alerts are not listed by default")

            let fired = try await Self.evaluate(store, at: went.addingTimeInterval(61))
            #expect(fired.map(\.alert.state) == [.firing])
            #expect(fired[0].deliveries.map(\.event) == ["alert.firing"])
            #expect(fired[0].deliveries.first?.body.alert?.value == 61)
            let firing = try await store.alerts(tenantID: Store.defaultTenant, states: [.firing], limit: 10)
            #expect(firing.map(\.id) == [fired[0].alert.id] && firing[0].serverName == "web-1")
            #expect(
                try await Self.evaluate(store, at: went.addingTimeInterval(70)).allSatisfy { $0.deliveries.isEmpty },
                "no second notification")

            try await store.recordHeartbeat(serverID: server.id, facts: nil, at: Self.t0.addingTimeInterval(200))
            let resolved = try await Self.evaluate(store, at: Self.t0.addingTimeInterval(201))
            #expect(resolved.map(\.alert.state) == [.resolved] && resolved[0].deliveries.map(\.event) == ["alert.resolved"])

            // Offline again within the cooldown: the alert fires, but no one is told.
            _ = try await store.markSilentServersOffline(cutoff: Self.t0.addingTimeInterval(290), at: Self.t0.addingTimeInterval(300))
            let quiet = try await Self.evaluate(store, at: Self.t0.addingTimeInterval(400))
            #expect(quiet.map(\.alert.state) == [.firing] && quiet[0].deliveries.isEmpty && quiet[0].alert.notifiedAt == nil)
            try await store.recordHeartbeat(serverID: server.id, facts: nil, at: Self.t0.addingTimeInterval(500))
            let quietlyResolved = try await Self.evaluate(store, at: Self.t0.addingTimeInterval(501))
            #expect(
                quietlyResolved.map(\.alert.state) == [.resolved] && quietlyResolved[0].deliveries.isEmpty,
                "never told, so not told it ended")

            // After the cooldown a new incident notifies again.
            _ = try await store.markSilentServersOffline(cutoff: Self.t0.addingTimeInterval(790), at: Self.t0.addingTimeInterval(800))
            #expect(try await Self.evaluate(store, at: Self.t0.addingTimeInterval(900)).flatMap(\.deliveries).count == 1)

            // The outbox: three deliveries so far, taken once per lease.
            let claimed = try await store.claimDeliveries(now: Self.t0.addingTimeInterval(901), lease: 60, limit: 10)
            #expect(claimed.map(\.0.event).sorted() == ["alert.firing", "alert.firing", "alert.resolved"])
            #expect(claimed.allSatisfy { $0.1.id == channel.id })
            #expect(try await store.claimDeliveries(now: Self.t0.addingTimeInterval(902), lease: 60, limit: 10).isEmpty, "leased")
            var delivered = claimed[0].0
            delivered.state = .delivered
            delivered.attempts = [.init(at: Self.t0.addingTimeInterval(901), statusCode: 200, error: nil)]
            delivered.nextAttemptAt = nil
            try await store.finishDeliveryAttempt(delivered)
            let log = try await store.deliveries(channelID: channel.id, tenantID: Store.defaultTenant, limit: 10)
            #expect(log.count == 3 && log.first { $0.id == delivered.id }?.attempts.first?.statusCode == 200)
            #expect(try await store.claimDeliveries(now: Self.t0.addingTimeInterval(1000), lease: 60, limit: 10).count == 2, "lease over")

            let events = try await store.fleetEvents(tenantID: Store.defaultTenant, serverID: server.id, limit: 20)
            #expect(events.map(\.kind).filter { $0.hasPrefix("server.") }.count == 6, "\(events.map(\.kind))")
            #expect(try await store.fleetEvents(tenantID: "t-other", limit: 20).isEmpty)

            // Deleting the rule resolves what it holds open; a year later the purge takes the history.
            #expect(
                try await store.deleteRule(
                    id: rule.id, tenantID: Store.defaultTenant, at: Self.t0.addingTimeInterval(950),
                    audit: StoreTests.audit("alert_rule.delete")))
            #expect(try await store.alerts(tenantID: Store.defaultTenant, states: [.firing], limit: 10).isEmpty)
            #expect(try await store.purgeAlerting(before: Self.t0.addingTimeInterval(86_400 * 365)) > 0)
            #expect(try await store.fleetEvents(tenantID: Store.defaultTenant, limit: 20).isEmpty)
            #expect(try await store.alerts(tenantID: Store.defaultTenant, limit: 10).isEmpty)
        }
    }

    @Test(
        "a metric rule watches each matching series; an acknowledged alert stays until the value drops", arguments: TestDatabase.available)
    func metricRule(database: TestDatabase) async throws {
        try await database.withStore { store in
            let web = try await Self.server(store)
            let db = try await Self.server(store, hostname: "db-1")
            _ = try await store.updateServer(
                id: web.id, tenantID: Store.defaultTenant, name: nil, labels: ["role": "web"], at: Self.t0,
                audit: StoreTests.audit("server.label"))
            var rule = AlertRuleRecord(
                id: "rule-disk", tenantID: Store.defaultTenant, name: "disk full", kind: .metric, metric: "disk.used_percent",
                comparison: .greater, threshold: 90, forSeconds: 0, cooldownSeconds: 0, selector: ["role": "web"], createdAt: Self.t0)
            #expect(try await store.createRule(rule, audit: StoreTests.audit("alert_rule.create")))
            let full: [String: Double] = ["disk.used_percent{mount=/}": 95, "disk.used_percent{mount=/data}": 50, "cpu.percent": 99]
            for server in [web, db] {
                try await store.appendMetrics(
                    serverID: server.id, tenantID: Store.defaultTenant, samples: [.init(at: Self.t0.addingTimeInterval(10), values: full)])
            }
            let fired = try await Self.evaluate(store, at: Self.t0.addingTimeInterval(20))
            #expect(fired.map(\.alert.subject) == ["disk.used_percent{mount=/}"], "only the full disk of the selected server")
            #expect(fired.first?.alert.state == .firing && fired.first?.alert.serverID == web.id && fired.first?.alert.value == 95)
            #expect(fired.first?.deliveries.isEmpty == true, "a rule without channels tells no one")

            let acknowledged = try #require(
                try await store.acknowledgeAlert(
                    id: fired[0].alert.id, tenantID: Store.defaultTenant, by: "ops@example.com", at: Self.t0.addingTimeInterval(25),
                    audit: StoreTests.audit("alert.acknowledge")))
            #expect(acknowledged.state == .acknowledged && acknowledged.acknowledgedBy == "ops@example.com")
            #expect(
                try await store.acknowledgeAlert(
                    id: fired[0].alert.id, tenantID: "t-other", by: "x", at: Self.t0,
                    audit: StoreTests.audit("alert.acknowledge", tenant: "t-other")) == nil)
            try await store.appendMetrics(
                serverID: web.id, tenantID: Store.defaultTenant,
                samples: [.init(at: Self.t0.addingTimeInterval(30), values: ["disk.used_percent{mount=/}": 96])])
            let still = try await Self.evaluate(store, at: Self.t0.addingTimeInterval(35))
            #expect(still.map(\.alert.state) == [.acknowledged] && still.first?.alert.value == 96)

            try await store.appendMetrics(
                serverID: web.id, tenantID: Store.defaultTenant,
                samples: [.init(at: Self.t0.addingTimeInterval(40), values: ["disk.used_percent{mount=/}": 70])])
            #expect(try await Self.evaluate(store, at: Self.t0.addingTimeInterval(45)).map(\.alert.state) == [.resolved])

            // A rule on one series key; disabled, its alert resolves.
            rule.metric = "disk.used_percent{mount=/data}"
            rule.comparison = .lessOrEqual
            rule.threshold = 50
            rule.updatedAt = Self.t0.addingTimeInterval(50)
            #expect(try await store.updateRule(rule, audit: StoreTests.audit("alert_rule.update")))
            try await store.appendMetrics(
                serverID: web.id, tenantID: Store.defaultTenant, samples: [.init(at: Self.t0.addingTimeInterval(50), values: full)])
            #expect(
                try await Self.evaluate(store, at: Self.t0.addingTimeInterval(55)).map(\.alert.subject) == [
                    "disk.used_percent{mount=/data}"
                ])
            rule.enabled = false
            #expect(try await store.updateRule(rule, audit: StoreTests.audit("alert_rule.update")))
            #expect(try await Self.evaluate(store, at: Self.t0.addingTimeInterval(60)).map(\.alert.state) == [.resolved])
        }
    }

    @Test("a job rule fires for a job that ended dead; its end is one event however often it is saved", arguments: TestDatabase.available)
    func jobRule(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await Self.server(store)
            let rule = AlertRuleRecord(
                id: "rule-job", tenantID: Store.defaultTenant, name: "jobs", kind: .job, statuses: [.dead, .timedOut], forSeconds: 0,
                cooldownSeconds: 0, createdAt: Self.t0)
            #expect(try await store.createRule(rule, audit: StoreTests.audit("alert_rule.create")))
            var job = JobStoreTests.job(on: server.id)
            try await store.createJobs([job], audit: StoreTests.audit("job.install"))
            job.status = .dead
            job.error = "the agent lost the job three times"
            job.finishedAt = Self.t0.addingTimeInterval(5)
            let ended = job
            try await store.pool.transaction(.hub) { db in
                var saved = ended
                try await Store.save(&saved, on: db)
                try await Store.save(&saved, on: db)
            }
            let fired = try await Self.evaluate(store, at: Self.t0.addingTimeInterval(10))
            #expect(fired.map(\.alert.subject) == [job.id] && fired.first?.alert.state == .firing)
            let events = try await store.fleetEvents(tenantID: Store.defaultTenant, kind: "job.dead", limit: 10)
            #expect(events.count == 1, "saved twice, recorded once")
            #expect(events.first?.jobID == job.id && events.first?.severity == .critical)
            #expect(events.first?.message.contains("lost the job") == true)
        }
    }

    static func container(
        _ name: String, state: String, health: String? = nil, exitCode: Int? = nil, oom: Bool = false, env: [String] = []
    ) -> Wire.Containers.Container {
        .init(
            id: String(repeating: "ab", count: 32).prefix(62) + String(format: "%02x", abs(name.hashValue) % 256), name: name,
            image: "busybox",
            state: state, status: state, health: health, restartCount: 2, exitCode: exitCode, oomKilled: oom,
            ports: ["0.0.0.0:8080->80/tcp"],
            createdAt: t0, startedAt: t0, cpuPercent: 1.5, memoryBytes: 1 << 20, memoryLimitBytes: 8 << 20, env: env)
    }

    @Test(
        "containers: a report replaces the server's set; a container rule fires for unhealthy and failed ones, not for a clean exit",
        arguments: TestDatabase.available)
    func containerRule(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await Self.server(store)
            let rule = AlertRuleRecord(
                id: "rule-ctr", tenantID: Store.defaultTenant, name: "containers", kind: .container, forSeconds: 0, cooldownSeconds: 0,
                createdAt: Self.t0)
            #expect(try await store.createRule(rule, audit: StoreTests.audit("alert_rule.create")))
            let first = [
                Self.container("web", state: "running", health: "healthy"), Self.container("sick", state: "running", health: "unhealthy"),
                Self.container("job", state: "exited", exitCode: 0), Self.container("broken", state: "exited", exitCode: 3),
                Self.container("hog", state: "exited", exitCode: 137, oom: true),
            ]
            let died = ContainerService.fleetEvent(
                .init(at: Self.t0, containerID: first[3].id, name: "broken", action: "die", exitCode: 3), serverID: server.id,
                tenantID: Store.defaultTenant)
            try await store.replaceContainers(
                serverID: server.id, tenantID: Store.defaultTenant, containers: first, events: [try #require(died), try #require(died)],
                at: Self.t0)
            let listed = try #require(try await store.containers(serverID: server.id, tenantID: Store.defaultTenant))
            #expect(listed.items.map(\.name) == ["broken", "hog", "job", "sick", "web"] && listed.reportedAt == Self.t0)
            #expect(try await store.containers(serverID: server.id, tenantID: "t-other") == nil)
            let fired = try await Self.evaluate(store, at: Self.t0.addingTimeInterval(5))
            #expect(fired.map(\.alert.subject).sorted() == ["broken", "hog", "sick"], "\(fired.map(\.alert.summary))")
            #expect(fired.first { $0.alert.subject == "hog" }?.alert.summary == "container hog on web-1 is oom killed")
            #expect(fired.first { $0.alert.subject == "broken" }?.alert.value == 3)
            let events = try await store.fleetEvents(tenantID: Store.defaultTenant, kind: "container.died", limit: 10)
            #expect(events.map(\.message) == ["container broken exited with code 3"], "the same event twice is kept once")

            // The next report has the sick one healthy and the broken one gone.
            try await store.replaceContainers(
                serverID: server.id, tenantID: Store.defaultTenant,
                containers: [
                    Self.container("web", state: "running"), Self.container("sick", state: "running", health: "healthy"), first[4],
                ],
                events: [], at: Self.t0.addingTimeInterval(15))
            #expect(try await store.containers(serverID: server.id, tenantID: Store.defaultTenant)?.items.count == 3)
            let after = try await Self.evaluate(store, at: Self.t0.addingTimeInterval(20))
            #expect(after.filter { $0.alert.state == .resolved }.map(\.alert.subject).sorted() == ["broken", "sick"])
        }
    }

    @Test("while one hub evaluates, another that tries gets nothing to do")
    func oneEvaluatorAtATime() async throws {
        guard TestDatabase.available.contains(.postgresql) else { return }
        try await TestDatabase.postgresql.withStore { store in
            try await store.pool.transaction(.hub) { db in
                _ = try await db.raw("SELECT pg_advisory_xact_lock(727100200)").all()
                let other = try await store.evaluateAlerts(now: Self.t0, metricsSince: Self.t0, jobsSince: Self.t0) { _ in [] }
                #expect(other == nil)
            }
            #expect(try await store.evaluateAlerts(now: Self.t0, metricsSince: Self.t0, jobsSince: Self.t0) { _ in [] } != nil)
        }
    }
}
