import Foundation
import SQLKit
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardHub

/// PostgreSQL's row-level security, the second wall between tenants: whatever a query forgets, an
/// access sees only the rows of the tenant it set, none when it set none, and cannot write into
/// another tenant.
@Suite(.enabled(if: TestDatabase.postgresAdminURL != nil, "needs PostgreSQL (STEWARD_TEST_POSTGRES_URL)"))
struct RowLevelSecurityTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let tables = [
        "servers", "agents", "registration_tokens", "api_tokens", "audit_log", "jobs", "sessions", "memberships",
        "invitations", "job_logs", "metric_samples", "metric_keysets", "fleet_events", "notification_channels", "alert_rules", "alerts",
        "notification_deliveries", "containers", "log_rules", "installations", "backups", "health_checks", "rollouts", "rollout_targets",
        "schedules", "config_versions",
    ]

    /// The default tenant and `t-acme` each get a member, an invitation, a registration token, an
    /// enrolled server with its agent, a job with a log line, a session and an API token.
    static func twoTenants(_ store: Store) async throws {
        let acme = TenantRecord(id: "t-acme", name: "Acme", slug: "acme", createdAt: t0)
        #expect(try await store.createTenant(acme, audit: StoreTests.audit("tenant.create")))
        for tenant in [Store.defaultTenant, "t-acme"] {
            let user = try await TeamStoreTests.member("owner@\(tenant).example", role: .owner, tenant: tenant, store: store)
            _ = try await store.createInvitation(
                TeamStoreTests.invitation("next@\(tenant).example", tenant: tenant), audit: audit(tenant, "invitation.create"))
            let value = "stw_reg_" + UUID().uuidString
            var token = StoreTests.tokenRecord(value)
            token.tenantID = tenant
            try await store.createRegistrationToken(token, audit: audit(tenant, "registration_token.create"))
            guard case .success(let server) = try await store.enroll(StoreTests.enrollment(value, hostname: "web-\(tenant)"), at: t0)
            else { throw TestFailure("enrollment failed") }
            try await InstallationStoreTests.populate(store, tenant: tenant, serverID: server.id)
            let rollout = RolloutRecord(
                id: "rollout-\(tenant)", tenantID: tenant, action: .steps, appID: nil, sealedRequest: "sealed", selector: ["env": "prod"],
                batchSize: 1, maxFailures: 0, pauseSeconds: 0, continueOnFailure: false,
                requester: ScheduleTests.record("x", tenant: tenant, next: nil).requester, createdAt: t0)
            try await store.createRollout(
                rollout, targets: [.init(rolloutID: rollout.id, tenantID: tenant, serverID: server.id, position: 0, batch: 0)],
                audit: audit(tenant, "rollout.create"))
            try await store.createSchedule(
                ScheduleTests.record("nightly", tenant: tenant, next: t0), audit: audit(tenant, "schedule.create"))
            var version = ConfigHistoryTests.version(store, server: server.id, content: "OWNER=\(tenant)\n")
            version.tenantID = tenant
            #expect(try await store.recordConfigVersions([version]).count == 1)
            var job = JobStoreTests.job(on: server.id)
            job.tenantID = tenant
            try await store.createJobs([job], audit: audit(tenant, "job.install"))
            _ = try #require(try await store.claimNextJob(serverID: server.id, now: t0, lease: 60))
            #expect(try await store.appendLog(jobID: job.id, attempt: 1, lines: ["hello from \(tenant)"], cap: 1 << 20) != .unknown)
            try await store.appendMetrics(
                serverID: server.id, tenantID: tenant, samples: [.init(at: t0, values: ["cpu.percent": 1])])
            try await store.replaceContainers(
                serverID: server.id, tenantID: tenant, containers: [AlertingStoreTests.container("web", state: "running")], events: [],
                at: t0)
            let channel = try await AlertingStoreTests.channel(store, tenant: tenant)
            #expect(
                try await store.createRule(
                    AlertRuleRecord(
                        id: "rule-\(tenant)", tenantID: tenant, name: "down", kind: .offline, forSeconds: 0, cooldownSeconds: 0,
                        channelIDs: [channel.id], createdAt: t0), audit: audit(tenant, "alert_rule.create")))
            #expect(try await store.createLogRule(LogRuleTests.rule("errors", tenant: tenant), audit: audit(tenant, "log_rule.create")))
            try await store.recordHeartbeat(serverID: server.id, facts: nil, at: t0)
            _ = try await store.markSilentServersOffline(cutoff: t0.addingTimeInterval(1), at: t0.addingTimeInterval(2))
            try await store.createSession(
                SessionRecord(
                    id: UUID().uuidString, tenantID: tenant, userID: user.id, tokenHash: "hash", csrfToken: "csrf",
                    sourceAddress: "127.0.0.1", createdAt: t0, expiresAt: t0.addingTimeInterval(3600)),
                audit: audit(tenant, "console.login"))
            try await store.createAPIToken(
                APITokenRecord(
                    id: UUID().uuidString, tenantID: tenant, userID: user.id,
                    digest: SecretToken.Digest(of: SecretToken.generate(.apiToken)), description: "ci", createdAt: t0),
                audit: audit(tenant, "api_token.create"))
        }
        // Each tenant's offline rule raises an alert that notifies its channel.
        #expect(try await AlertingStoreTests.evaluate(store, at: t0.addingTimeInterval(3)).flatMap(\.deliveries).count == 2)
    }

    static func audit(_ tenant: String, _ action: String) -> AuditEvent {
        AuditEvent(tenantID: tenant, actor: "owner@example.com", action: action, target: "test:1", sourceAddress: "127.0.0.1")
    }

    /// The tenant of every row of `table` that the scope lets the query see.
    static func visibleTenants(_ table: String, in scope: RowScope, store: Store) async throws -> [String] {
        let column = table == "job_logs" ? "(SELECT tenant_id FROM jobs WHERE jobs.id = job_logs.job_id)" : "tenant_id"
        return try await store.pool.read(scope) { db in
            // Deliberately without any WHERE: the policies alone decide.
            try await db.raw("SELECT \(unsafeRaw: column) AS tenant FROM \(unsafeRaw: table)").all().map {
                try $0.decode(column: "tenant", as: String.self)
            }
        }
    }

    @Test("a query without a tenant condition sees only its own tenant's rows, or every tenant's when declared hub-wide")
    func ownTenantOnly() async throws {
        try await TestDatabase.postgresql.withStore { store in
            try await Self.twoTenants(store)
            for table in Self.tables {
                let acme = try await Self.visibleTenants(table, in: .tenant("t-acme"), store: store)
                #expect(!acme.isEmpty, "\(table) has rows of t-acme")
                #expect(Set(acme) == ["t-acme"], "\(table): \(acme)")
                let all = try await Self.visibleTenants(table, in: .hub, store: store)
                #expect(Set(all) == [Store.defaultTenant, "t-acme"], "\(table): \(all)")
                #expect(try await Self.visibleTenants(table, in: .tenant("t-nobody"), store: store).isEmpty, "\(table), wrong tenant")
            }
        }
    }

    @Test("a connection that set no tenant sees no rows at all")
    func noTenantNoRows() async throws {
        try await TestDatabase.postgresql.withFreshLocation { location in
            guard case .postgresql(let url) = location else { throw TestFailure("not PostgreSQL") }
            try await TestDatabase.withStore(at: location) { store in try await Self.twoTenants(store) }
            for table in Self.tables {
                let counted = try await TestDatabase.rawQuery(url, "SELECT COUNT(*)::text FROM \(table)")
                #expect(counted == ["0"], "\(table) shows \(counted) rows to an access without a tenant")
            }
            // The rows are there: the hub's role is simply not allowed to see them unscoped.
            let owner = try #require(TestDatabase.postgresAdminURL.flatMap { URLComponents(string: $0) })
            var admin = try #require(URLComponents(string: url))
            admin.user = owner.user
            #expect(try await TestDatabase.rawQuery(admin.string!, "SELECT COUNT(*)::text FROM servers") == ["2"])
        }
    }

    @Test("a tenant's transaction cannot write rows of another tenant, nor change or delete them")
    func noWritesAcross() async throws {
        try await TestDatabase.postgresql.withStore { store in
            try await Self.twoTenants(store)
            await #expect(throws: (any Error).self, "the policy's WITH CHECK refuses the row") {
                try await store.pool.transaction(.tenant("t-acme")) { db in
                    try await db.raw(
                        """
                        INSERT INTO audit_log (tenant_id, actor, action, target, detail, source_address, created_at)
                        VALUES ('default', 'mallory', 'x', 'y', '{}', '127.0.0.1', 0)
                        """
                    ).run()
                }
            }
            let changed = try await store.pool.transaction(.tenant("t-acme")) { db in
                try await db.raw("UPDATE servers SET name = 'taken' WHERE tenant_id = 'default' RETURNING id").all().count
            }
            #expect(changed == 0)
            let deleted = try await store.pool.transaction(.tenant("t-acme")) { db in
                try await db.raw("DELETE FROM sessions WHERE tenant_id = 'default' RETURNING id").all().count
            }
            #expect(deleted == 0)
            let names = try await store.servers(tenantID: Store.defaultTenant).map(\.name)
            #expect(names == ["web-default"])
            #expect(
                try await store.sessions(userID: try #require(try await store.user(email: "owner@default.example")).id, now: Self.t0).count
                    == 1)
        }
    }

    @Test("the role the hub connects as in these tests is subject to row-level security")
    func roleIsBound() async throws {
        try await TestDatabase.postgresql.withFreshLocation { location in
            guard case .postgresql(let url) = location else { throw TestFailure("not PostgreSQL") }
            let pool = try PostgresPool(url: url, logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await pool.run() }
                defer { group.cancelAll() }
                let bypasses = try await pool.roleBypassesRowSecurity()
                #expect(!bypasses)
            }
        }
    }
}
