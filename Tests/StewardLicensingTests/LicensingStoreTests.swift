import Foundation
import ServiceLifecycle
import StewardCore
import StewardHub
import StewardLicensing
import StewardTestSupport
import Testing

/// The license service's storage, on SQLite and (when configured) PostgreSQL.
struct LicensingStoreTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func withStore(_ database: TestDatabase, _ body: @Sendable (LicensingStore) async throws -> Void) async throws {
        try await database.withFreshLocation { location in
            let pool: any DatabasePool =
                switch location {
                case .sqlite(let path): try await SQLitePool.open(path: path, logger: TestDatabase.logger)
                case .postgresql(let url): try PostgresPool(url: url, logger: TestDatabase.logger)
                }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await pool.run() }
                defer { group.cancelAll() }
                let store = LicensingStore(pool: pool)
                do {
                    try await store.migrate(logger: TestDatabase.logger)
                    // A second run finds nothing to do.
                    #expect(try await store.migrate(logger: TestDatabase.logger).isEmpty)
                    try await body(store)
                } catch {
                    throw TestFailure(String(reflecting: error))
                }
            }
        }
    }

    static func client(_ name: String) -> Wire.Licensing.Client {
        .init(id: UUID().uuidString.lowercased(), name: name, contactEmail: nil, notes: nil, createdAt: now, updatedAt: now)
    }

    static func instance(of client: Wire.Licensing.Client, expiresAt: Date? = nil) -> Wire.Licensing.Instance {
        .init(
            id: UUID().uuidString.lowercased(), clientID: client.id, name: "eu-1", state: .active,
            entitlements: .init(maxServers: 10, maxUsers: nil, expiresAt: expiresAt, features: ["rollouts"]), fingerprint: nil,
            moveAllowed: false, activatedAt: nil, lastTelemetryAt: nil, version: nil, createdAt: now)
    }

    @Test("clients are listed by name, changed, and deleted with their instances", arguments: TestDatabase.available)
    func clients(database: TestDatabase) async throws {
        try await Self.withStore(database) { store in
            var zeta = Self.client("Zeta")
            let alpha = Self.client("Alpha")
            try await store.insertClient(zeta)
            try await store.insertClient(alpha)
            #expect(try await store.clients().map(\.name) == ["Alpha", "Zeta"])
            zeta.notes = "moved to EU"
            try await store.updateClient(zeta)
            #expect(try await store.client(id: zeta.id)?.notes == "moved to EU")

            let instance = Self.instance(of: zeta)
            try await store.insertInstance(instance, license: SecretToken.Digest(of: "stw_lic_" + String(repeating: "a", count: 32)))
            try await store.changeInstance(id: instance.id, .hubKey(hash: "hash"), at: Self.now)
            #expect(try await store.deleteClient(id: zeta.id, at: Self.now))
            #expect(try await store.deleteClient(id: zeta.id, at: Self.now) == false)
            #expect(try await store.client(id: zeta.id) == nil)
            let deleted = try #require(try await store.instance(id: instance.id))
            #expect(deleted.storedState == .deleted && deleted.hubKeyHash == nil)
            #expect(try await store.liveInstances().isEmpty)
        }
    }

    @Test(
        "instances keep only key digests, found by the license's lookup key; changes apply to live ones only",
        arguments: TestDatabase.available)
    func instances(database: TestDatabase) async throws {
        try await Self.withStore(database) { store in
            let client = Self.client("Acme")
            try await store.insertClient(client)
            let instance = Self.instance(of: client, expiresAt: Self.now.addingTimeInterval(60))
            let license = SecretToken.Digest(of: "stw_lic_" + String(repeating: "b", count: 32))
            try await store.insertInstance(instance, license: license)
            let found = try #require(try await store.instance(licenseLookup: license.lookupKey))
            #expect(found.instance == instance && found.licenseHash == license.hash && found.hubKeyHash == nil)
            #expect(found.instance(at: Self.now).state == .active)
            #expect(found.instance(at: Self.now.addingTimeInterval(61)).state == .expired)

            try await store.changeInstance(
                id: instance.id, .activated(fingerprint: "fp-0001", version: "0.1.0", hubKeyHash: "h1"), at: Self.now)
            try await store.changeInstance(id: instance.id, .moveAllowed, at: Self.now)
            var record = try #require(try await store.instance(id: instance.id))
            #expect(record.instance.fingerprint == "fp-0001" && record.instance.version == "0.1.0" && record.hubKeyHash == "h1")
            #expect(record.instance.moveAllowed && record.instance.activatedAt == Self.now)

            let terms = Wire.Licensing.Entitlements(maxServers: nil, maxUsers: 4, expiresAt: Self.now, features: ["backups"])
            try await store.changeInstance(id: instance.id, .terms(name: "eu-2", terms), at: Self.now)
            record = try #require(try await store.instance(id: instance.id))
            #expect(record.instance.name == "eu-2" && record.instance.entitlements == terms)

            let rotated = SecretToken.Digest(of: "stw_lic_" + String(repeating: "c", count: 32))
            try await store.changeInstance(id: instance.id, .license(rotated), at: Self.now)
            #expect(try await store.instance(licenseLookup: license.lookupKey) == nil)
            try await store.changeInstance(id: instance.id, .state(.suspended), at: Self.now)
            record = try #require(try await store.instance(licenseLookup: rotated.lookupKey))
            #expect(record.storedState == .suspended && record.hubKeyHash == "h1")

            try await store.changeInstance(id: instance.id, .state(.deleted), at: Self.now)
            #expect(try await store.changeInstance(id: instance.id, .state(.active), at: Self.now) == false)
            #expect(try await store.instances(clientID: client.id).map(\.storedState) == [.deleted])
        }
    }

    @Test("a telemetry window is kept once, newest first, and marks the instance's last report", arguments: TestDatabase.available)
    func telemetry(database: TestDatabase) async throws {
        try await Self.withStore(database) { store in
            let client = Self.client("Acme")
            try await store.insertClient(client)
            let instance = Self.instance(of: client)
            try await store.insertInstance(instance, license: SecretToken.Digest(of: "stw_lic_" + String(repeating: "d", count: 32)))
            let first = Self.now
            let second = Self.now.addingTimeInterval(3600)
            let body = #"{"users":3}"#
            #expect(
                try await store.storeTelemetry(
                    instanceID: instance.id, start: first, end: second, droppedFields: 2, body: body, version: "0.1.0", at: second))
            #expect(
                try await store.storeTelemetry(
                    instanceID: instance.id, start: first, end: second, droppedFields: 2, body: body, version: nil, at: second) == false)
            #expect(
                try await store.storeTelemetry(
                    instanceID: instance.id, start: second, end: second.addingTimeInterval(3600), droppedFields: 0, body: "{}",
                    version: nil,
                    at: second.addingTimeInterval(3600)))
            let windows = try await store.telemetry(instanceID: instance.id, limit: 10)
            #expect(windows.map(\.windowStart) == [second, first])
            #expect(windows.last?.droppedFields == 2 && windows.last?.body == .object(["users": .number(3)]))
            #expect(try await store.telemetry(instanceID: instance.id, limit: 1).count == 1)
            let record = try #require(try await store.instance(id: instance.id))
            #expect(record.instance.lastTelemetryAt == second.addingTimeInterval(3600) && record.instance.version == "0.1.0")
        }
    }

    @Test("administrator keys: a rotation revokes the others; sessions expire and can all be ended", arguments: TestDatabase.available)
    func adminKeysAndSessions(database: TestDatabase) async throws {
        try await Self.withStore(database) { store in
            #expect(try await store.liveAdminKeyCount() == 0)
            let first = SecretToken.Digest(of: "stw_adm_first")
            try await store.addAdminKey(first, revokingOthers: false, at: Self.now)
            #expect(try await store.adminKeyHash(lookupKey: first.lookupKey) == first.hash)
            let second = SecretToken.Digest(of: "stw_adm_second")
            try await store.addAdminKey(second, revokingOthers: true, at: Self.now)
            #expect(try await store.adminKeyHash(lookupKey: first.lookupKey) == nil)
            #expect(try await store.liveAdminKeyCount() == 1)

            let session = SecretToken.Digest(of: "stw_ses_one")
            try await store.createSession(session, at: Self.now, expiresAt: Self.now.addingTimeInterval(60))
            #expect(try await store.sessionHash(lookupKey: session.lookupKey, at: Self.now) == session.hash)
            #expect(try await store.sessionHash(lookupKey: session.lookupKey, at: Self.now.addingTimeInterval(60)) == nil)
            try await store.deleteAllSessions()
            #expect(try await store.sessionHash(lookupKey: session.lookupKey, at: Self.now) == nil)
        }
    }
}
