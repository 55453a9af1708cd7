import Foundation
import SQLKit
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardHub

/// A licensed hub's storage (its activation, the telemetry outbox) and the counts a telemetry
/// window is made of, on SQLite and on PostgreSQL.
struct LicenseStoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func activation(state: Wire.Licensing.State = .active) -> LicenseActivationRecord {
        LicenseActivationRecord(
            licenseKeyHash: "hash", instanceID: "0f8e4c1a-8d1e-4d6b-9b8a-2c6f1e0d9a11", sealedHubKey: "sealed", state: state,
            entitlements: .init(maxServers: 3, maxUsers: nil, expiresAt: nil, features: []), activatedAt: t0, checkedAt: t0)
    }

    @Test("the activation is one row, replaced whole, its state updated by receipts", arguments: TestDatabase.available)
    func activation(database: TestDatabase) async throws {
        try await database.withStore { store in
            #expect(try await store.licenseActivation() == nil)
            try await store.saveLicenseActivation(Self.activation())
            var second = Self.activation()
            second.instanceID = "11111111-2222-4333-8444-555555555555"
            try await store.saveLicenseActivation(second)
            #expect(try await store.licenseActivation() == second)
            let later = Self.t0.addingTimeInterval(60)
            try await store.updateLicenseState(.suspended, entitlements: .init(maxServers: 1), at: later)
            let updated = try #require(try await store.licenseActivation())
            #expect(updated.state == .suspended && updated.entitlements.maxServers == 1 && updated.checkedAt == later)
        }
    }

    @Test(
        "the outbox keeps a window once, hands out what is due oldest first, and forgets old sent ones", arguments: TestDatabase.available)
    func outbox(database: TestDatabase) async throws {
        try await database.withStore { store in
            let hour: TimeInterval = 3600
            #expect(try await store.lastTelemetryWindowEnd() == nil)
            #expect(try await store.enqueueTelemetry(start: Self.t0, end: Self.t0 + hour, body: "{}", at: Self.t0 + hour))
            #expect(try await store.enqueueTelemetry(start: Self.t0, end: Self.t0 + hour, body: "{}", at: Self.t0 + hour) == false)
            #expect(try await store.enqueueTelemetry(start: Self.t0 + hour, end: Self.t0 + 2 * hour, body: "{}", at: Self.t0 + 2 * hour))
            #expect(try await store.lastTelemetryWindowEnd() == Self.t0 + 2 * hour)
            let now = Self.t0 + 2 * hour
            #expect(try await store.dueTelemetry(at: now, limit: 10).map(\.windowStart) == [Self.t0, Self.t0 + hour])

            try await store.postponeTelemetry(start: Self.t0, until: now + 30)
            let due = try await store.dueTelemetry(at: now, limit: 10)
            #expect(due.map(\.windowStart) == [Self.t0 + hour])
            #expect(try await store.dueTelemetry(at: now + 30, limit: 10).first?.attempts == 1)

            try await store.markTelemetrySent(start: Self.t0 + hour, at: now)
            #expect(try await store.dueTelemetry(at: now + 30, limit: 10).map(\.windowStart) == [Self.t0])
            // The newest window stays, sent or not: the next one starts where it ended.
            try await store.pruneTelemetry(sentBefore: now + 1)
            #expect(try await store.telemetryOutbox(limit: 10).map(\.windowStart) == [Self.t0 + hour, Self.t0])
            #expect(try await store.enqueueTelemetry(start: Self.t0 + 2 * hour, end: Self.t0 + 3 * hour, body: "{}", at: now))
            try await store.markTelemetrySent(start: Self.t0 + 2 * hour, at: now)
            try await store.markTelemetrySent(start: Self.t0, at: now)
            try await store.pruneTelemetry(sentBefore: now + 2 * hour)
            #expect(try await store.telemetryOutbox(limit: 10).map(\.windowStart) == [Self.t0 + 2 * hour])
        }
    }

    @Test(
        "a window counts servers by presence, system and agent, and jobs finished in it by kind, status and app",
        arguments: TestDatabase.available)
    func aggregates(database: TestDatabase) async throws {
        try await database.withStore { store in
            let serverID = try await JobStoreTests.server(store)
            #expect(try await store.enrolledServerCount() == 1)
            var nginx = JobStoreTests.job(on: serverID)
            nginx.appID = "nginx"
            let jobs = [
                nginx, JobStoreTests.job(on: serverID), JobStoreTests.job(on: serverID),
                JobStoreTests.job(on: serverID, kind: .step(.shell)),
            ]
            try await JobStoreTests.queue(jobs, on: store)
            // Finished in the window: 1 s, 2 s, 4 s; the step job failed; the last one outside the window.
            let finishes: [(String, String, Int64, Int64)] = [
                (jobs[0].id, "succeeded", 1_000, 10_000), (jobs[1].id, "succeeded", 2_000, 20_000),
                (jobs[2].id, "succeeded", 4_000, 7_200_000),
                (jobs[3].id, "failed", 500, 30_000),
            ]
            try await store.pool.transaction(.hub) { db in
                for (id, status, duration, offset) in finishes {
                    let finished = Int64(Self.t0.timeIntervalSince1970 * 1000) + offset
                    try await db.raw(
                        """
                        UPDATE jobs SET status = \(bind: status), started_at = \(bind: finished - duration), finished_at = \(bind: finished),
                            app_id = CASE WHEN kind = 'shell' THEN NULL ELSE app_id END
                        WHERE id = \(bind: id)
                        """
                    ).run()
                }
            }
            let counted = try await store.telemetryAggregates(from: Self.t0, to: Self.t0.addingTimeInterval(3600))
            #expect(counted.serversByPresence == ["offline": 1])
            #expect(counted.serversByOS == [.init(id: "debian", version: "12"): 1])
            #expect(counted.agentVersions == ["0.1.0": 1])
            let groups = Dictionary(uniqueKeysWithValues: counted.jobs.map { ("\($0.kind)/\($0.status)/\($0.app ?? "-")", $0) })
            // "greeter" is the hub's own app: it is counted as "other".
            #expect(groups["install/succeeded/other"]?.count == 1 && groups["install/succeeded/other"]?.p50Ms == 2_000)
            #expect(groups["install/succeeded/nginx"]?.p95Ms == 1_000)
            #expect(groups["shell/failed/-"]?.count == 1)
            #expect(counted.jobs.count == 3)

            let window = TelemetryWindowBuilder.window(
                counted, instanceID: Self.activation().instanceID, start: Self.t0, end: Self.t0.addingTimeInterval(3600), database: .sqlite)
            #expect(window.errorCodes == ["failed": 1] && window.servers.byOS == ["debian-12": 1] && window.servers.total == 1)
            #expect(try TelemetryWindowBuilder.redactedBody(window).droppedFields == 0)
        }
    }
}

/// The pure parts of telemetry: back-off, systems, and the vocabulary against the built-in catalog.
struct TelemetryRulesTests {
    @Test("retries double from a quarter interval up to one interval, within ±15 %")
    func retryDelay() {
        #expect(TelemetryReporter.retryDelay(attempts: 0, interval: 3600, jitter: 0) == 30)
        #expect(TelemetryReporter.retryDelay(attempts: 3, interval: 3600, jitter: 0) == 240)
        #expect(TelemetryReporter.retryDelay(attempts: 30, interval: 3600, jitter: 0) == 3600)
        #expect(TelemetryReporter.retryDelay(attempts: 3, interval: 3600, jitter: 1) == 240 * 1.15)
        #expect(TelemetryReporter.retryDelay(attempts: 3, interval: 3600, jitter: -1) == 240 * 0.85)
        #expect(TelemetryReporter.retryDelay(attempts: 0, interval: 2, jitter: 0) == 1)
    }

    @Test(
        "systems are named by id and major version, or other",
        arguments: [
            ("debian", "12", "debian-12"), ("ubuntu", "24.04", "ubuntu-24"), ("acmeos", "1", "other"), ("debian", "", "other"),
            ("debian", "twelve", "other"),
        ])
    func osRelease(id: String, version: String, expected: String) {
        #expect(TelemetryWindowBuilder.osRelease(.init(id: id, version: version)) == expected)
    }

    @Test("every app of the built-in catalog is in the telemetry vocabulary")
    func builtInApps() throws {
        let catalog = try #require(BuiltInCatalog.locate())
        let apps = try FileManager.default.contentsOfDirectory(atPath: catalog).filter { name in
            FileManager.default.fileExists(atPath: catalog + "/" + name + "/manifest.yml")
        }
        #expect(!apps.isEmpty)
        #expect(Set(apps).isSubset(of: TelemetryVocabulary.apps), "missing: \(Set(apps).subtracting(TelemetryVocabulary.apps))")
    }
}
