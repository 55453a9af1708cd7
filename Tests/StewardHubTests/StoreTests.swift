import Foundation
import SQLKit
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// The storage suite: every test runs on SQLite, and on PostgreSQL when one is configured.
struct StoreTests {
    static let facts = Wire.Facts(
        osID: "debian", osVersion: "12", kernel: "6.1.0", architecture: "x86_64", cpuCount: 2,
        memoryBytes: 2_147_483_648, agentVersion: "0.1.0")

    /// An audit record of the tenant whose rows the change writes (row-level security holds them together).
    static func audit(_ action: String, target: String = "test:1", tenant: String = Store.defaultTenant) -> AuditEvent {
        AuditEvent(tenantID: tenant, actor: "owner@example.com", action: action, target: target, sourceAddress: "127.0.0.1")
    }

    static func tokenRecord(
        _ value: String, maxUses: Int = 1, expiresAt: Date? = nil, labels: [String: String] = [:]
    )
        -> RegistrationTokenRecord
    {
        RegistrationTokenRecord(
            id: UUID().uuidString.lowercased(), tenantID: Store.defaultTenant, digest: SecretToken.Digest(of: value),
            description: "test", labels: labels, maxUses: maxUses, expiresAt: expiresAt, createdBy: "owner@example.com",
            createdAt: Date())
    }

    static func enrollment(_ token: String, hostname: String = "web-1") -> EnrollmentRequest {
        EnrollmentRequest(
            token: token, hostname: hostname, facts: facts, sourceAddress: "127.0.0.1",
            agentID: UUID().uuidString.lowercased(), serverID: UUID().uuidString.lowercased(),
            agentSecretHash: SecretToken.Digest(of: "secret").hash)
    }

    @Test("migrations apply once, are recorded, and a second run changes nothing", arguments: TestDatabase.available)
    func migrations(database: TestDatabase) async throws {
        try await database.withStore { store in
            let again = try await store.migrate(logger: TestDatabase.logger)
            #expect(again.isEmpty)
            let versions = try await store.pool.read(.hub) { db in
                try await db.raw("SELECT version FROM schema_migrations ORDER BY version").all().map {
                    try $0.decode(column: "version", as: Int.self)
                }
            }
            #expect(versions == Array(1...23))
            let tenants = try await store.pool.read(.hub) { db in
                try await db.raw("SELECT id FROM tenants").all().map { try $0.decode(column: "id", as: String.self) }
            }
            #expect(tenants == [Store.defaultTenant])
        }
    }

    @Test("the owner and the owner's API token are created together and found by lookup key", arguments: TestDatabase.available)
    func owner(database: TestDatabase) async throws {
        try await database.withStore { store in
            #expect(try await store.userCount() == 0)
            let owner = UserRecord(
                id: "u1", tenantID: Store.defaultTenant, email: "owner@example.com", passwordHash: "$2b$bcrypt", role: .owner,
                createdAt: Date())
            let digest = SecretToken.Digest(of: "stw_api_example")
            let token = APITokenRecord(
                id: "t1", tenantID: Store.defaultTenant, userID: "u1", digest: digest, description: "first", createdAt: Date())
            try await store.createOwner(owner, apiToken: token)
            #expect(try await store.userCount() == 1)
            let found = try #require(try await store.apiToken(lookupKey: digest.lookupKey))
            #expect(found.user.email == "owner@example.com")
            #expect(found.user.role == .owner)
            #expect(found.token.tokenHash == digest.hash)
            #expect(try await store.apiToken(lookupKey: "0000000000000000") == nil)
        }
    }

    @Test("registration tokens are listed newest first, revoked once, and each change is audited", arguments: TestDatabase.available)
    func registrationTokens(database: TestDatabase) async throws {
        try await database.withStore { store in
            let first = Self.tokenRecord("stw_reg_first", labels: ["env": "prod"])
            try await store.createRegistrationToken(first, audit: Self.audit("registration_token.create"))
            try await Task.sleep(for: .milliseconds(5))
            let second = Self.tokenRecord("stw_reg_second", maxUses: 0)
            try await store.createRegistrationToken(second, audit: Self.audit("registration_token.create"))

            let listed = try await store.registrationTokens(tenantID: Store.defaultTenant)
            #expect(listed.map(\.id) == [second.id, first.id])
            #expect(listed[1].labels == ["env": "prod"])
            #expect(listed[0].maxUses == 0)

            let revoked = try #require(
                try await store.revokeRegistrationToken(
                    id: first.id, tenantID: Store.defaultTenant, at: Date(), audit: Self.audit("registration_token.revoke")))
            #expect(revoked.status(at: Date()) == .revoked)
            // Revoking again is harmless and writes no second record.
            _ = try await store.revokeRegistrationToken(
                id: first.id, tenantID: Store.defaultTenant, at: Date(), audit: Self.audit("registration_token.revoke"))
            #expect(
                try await store.revokeRegistrationToken(
                    id: "missing", tenantID: Store.defaultTenant, at: Date(), audit: Self.audit("x")) == nil)
            let actions = try await store.auditPage(tenantID: Store.defaultTenant, before: nil, limit: 10).items.map(\.action)
            #expect(actions == ["registration_token.revoke", "registration_token.create", "registration_token.create"])
        }
    }

    @Test("enrollment refuses unknown, revoked, expired and used-up tokens, saying which", arguments: TestDatabase.available)
    func enrollmentRefusals(database: TestDatabase) async throws {
        try await database.withStore { store in
            let now = Date()
            #expect(try await store.enroll(Self.enrollment("stw_reg_nobody"), at: now) == .failure(.unknownToken))

            let revoked = Self.tokenRecord("stw_reg_revoked")
            try await store.createRegistrationToken(revoked, audit: Self.audit("registration_token.create"))
            _ = try await store.revokeRegistrationToken(
                id: revoked.id, tenantID: Store.defaultTenant, at: now, audit: Self.audit("registration_token.revoke"))
            #expect(try await store.enroll(Self.enrollment("stw_reg_revoked"), at: now) == .failure(.revoked))

            let expiry = now.addingTimeInterval(60)
            try await store.createRegistrationToken(
                Self.tokenRecord("stw_reg_expiring", expiresAt: expiry), audit: Self.audit("registration_token.create"))
            let later = now.addingTimeInterval(61)
            guard case .failure(.expired) = try await store.enroll(Self.enrollment("stw_reg_expiring"), at: later) else {
                Issue.record("an expired token enrolled a server")
                return
            }

            try await store.createRegistrationToken(Self.tokenRecord("stw_reg_once"), audit: Self.audit("registration_token.create"))
            guard case .success = try await store.enroll(Self.enrollment("stw_reg_once"), at: now) else {
                Issue.record("a fresh one-time token was refused")
                return
            }
            #expect(try await store.enroll(Self.enrollment("stw_reg_once"), at: now) == .failure(.usedUp(maxUses: 1)))
            // Refusals change nothing: exactly one server exists.
            #expect(try await store.servers(tenantID: Store.defaultTenant).count == 1)
        }
    }

    @Test("a one-time token raced by many agents enrolls exactly one server", arguments: TestDatabase.available)
    func enrollmentRace(database: TestDatabase) async throws {
        try await database.withStore { store in
            try await store.createRegistrationToken(Self.tokenRecord("stw_reg_race"), audit: Self.audit("registration_token.create"))
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        if case .success = try await store.enroll(Self.enrollment("stw_reg_race", hostname: "host-\(index)"), at: Date()) {
                            return true
                        }
                        return false
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await store.servers(tenantID: Store.defaultTenant).count == 1)
            let token = try #require(try await store.registrationTokens(tenantID: Store.defaultTenant).first)
            #expect(token.uses == 1)
        }
    }

    @Test("an enrolled server gets the token's labels, its agent, heartbeats and facts", arguments: TestDatabase.available)
    func enrollmentAndHeartbeat(database: TestDatabase) async throws {
        try await database.withStore { store in
            try await store.createRegistrationToken(
                Self.tokenRecord("stw_reg_many", maxUses: 0, labels: ["role": "web"]), audit: Self.audit("registration_token.create"))
            let request = Self.enrollment("stw_reg_many")
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            guard case .success(let server) = try await store.enroll(request, at: start) else {
                Issue.record("enrollment failed")
                return
            }
            #expect(server.labels == ["role": "web"])
            #expect(server.facts == Self.facts)
            #expect(server.lastSeenAt == start)
            let agent = try #require(try await store.agent(id: request.agentID))
            #expect(agent.serverID == server.id)
            #expect(agent.revokedAt == nil)

            var newFacts = Self.facts
            newFacts.kernel = "6.1.99"
            newFacts.agentVersion = "0.2.0"
            let later = start.addingTimeInterval(30)
            try await store.recordHeartbeat(serverID: server.id, facts: newFacts, at: later)
            let updated = try #require(try await store.server(id: server.id, tenantID: Store.defaultTenant))
            #expect(updated.facts.kernel == "6.1.99")
            #expect(updated.agentVersion == "0.2.0")
            #expect(updated.lastSeenAt == later)
            #expect(updated.status(at: later.addingTimeInterval(44), heartbeatInterval: 15) == .online)
            #expect(updated.status(at: later.addingTimeInterval(46), heartbeatInterval: 15) == .offline)

            // Another tenant sees nothing.
            #expect(try await store.server(id: server.id, tenantID: "other") == nil)
            #expect(try await store.servers(tenantID: "other").isEmpty)
        }
    }

    @Test(
        "renaming, labelling and decommissioning are stored and audited; decommission revokes the agent", arguments: TestDatabase.available)
    func serverLifecycle(database: TestDatabase) async throws {
        try await database.withStore { store in
            try await store.createRegistrationToken(Self.tokenRecord("stw_reg_x"), audit: Self.audit("registration_token.create"))
            let request = Self.enrollment("stw_reg_x")
            guard case .success(let server) = try await store.enroll(request, at: Date()) else {
                Issue.record("enrollment failed")
                return
            }
            let renamed = try #require(
                try await store.updateServer(
                    id: server.id, tenantID: Store.defaultTenant, name: "db-primary", labels: ["env": "prod"], at: Date(),
                    audit: Self.audit("server.update", target: "server:\(server.id)")))
            #expect(renamed.name == "db-primary")
            #expect(renamed.labels == ["env": "prod"])

            #expect(
                try await store.decommissionServer(
                    id: server.id, tenantID: Store.defaultTenant, at: Date(),
                    audit: Self.audit("server.decommission", target: "server:\(server.id)")) == [])
            #expect(try await store.agent(id: request.agentID)?.revokedAt != nil)
            #expect(try await store.servers(tenantID: Store.defaultTenant).isEmpty)
            #expect(try await store.server(id: server.id, tenantID: Store.defaultTenant) == nil)
            // A second decommission finds nothing to do.
            #expect(
                try await store.decommissionServer(
                    id: server.id, tenantID: Store.defaultTenant, at: Date(), audit: Self.audit("server.decommission")) == nil)
            #expect(
                try await store.updateServer(
                    id: server.id, tenantID: Store.defaultTenant, name: "again", labels: nil, at: Date(),
                    audit: Self.audit("server.rename")) == nil)
        }
    }

    @Test("the audit log pages newest first without gaps or repeats", arguments: TestDatabase.available)
    func auditPaging(database: TestDatabase) async throws {
        try await database.withStore { store in
            for index in 0..<7 {
                try await store.createRegistrationToken(
                    Self.tokenRecord("stw_reg_\(index)"), audit: Self.audit("registration_token.create", target: "n:\(index)"))
            }
            var seen: [String] = []
            var before: Int64?
            repeat {
                let page = try await store.auditPage(tenantID: Store.defaultTenant, before: before, limit: 3)
                seen += page.items.map(\.target)
                before = page.nextBefore
            } while before != nil
            #expect(seen == (0..<7).reversed().map { "n:\($0)" })
        }
    }
}
