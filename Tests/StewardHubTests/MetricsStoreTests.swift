import Foundation
import SQLKit
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardHub

/// Host metrics storage on SQLite and PostgreSQL: raw samples, minute and hour roll-ups (late
/// samples rolled up again, never counted twice), purges, and queries at the right resolution, all
/// with times given explicitly.
struct MetricsStoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)  // a whole hour

    static func sample(_ seconds: TimeInterval, cpu: Double, disk: Double = 50) -> Wire.Metrics.Sample {
        .init(
            at: t0.addingTimeInterval(seconds), values: ["cpu.percent": cpu, Wire.Metrics.key("disk.used_percent", ["mount": "/"]): disk])
    }

    @Test(
        "rows are kept compactly (values and a shared key set), read back to four decimals, and rows of the first encoding still read",
        arguments: TestDatabase.available)
    func compactEncoding(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await JobStoreTests.server(store)
            let tenant = Store.defaultTenant
            let values: [String: Double] = [
                "cpu.percent": 20.733333333, "network.rx_bytes{interface=eth0}": 123_456_789_012, "load.1": 0.00003,
                "memory.used_percent": -0.5,
            ]
            try await store.appendMetrics(
                serverID: server, tenantID: tenant, samples: [.init(at: Self.t0, values: values), .init(at: Self.t0 + 15, values: values)])
            // A row as the first encoding wrote it, before migration 15.
            try await store.pool.read(.tenant(tenant)) { db in
                try await db.raw(
                    """
                    INSERT INTO metric_samples (server_id, tenant_id, resolution, bucket, encoding, data)
                    VALUES (\(bind: server), \(bind: tenant), 0, \(bind: Millis.from(Self.t0 - 15)), 1, '{"cpu.percent":7}')
                    """
                ).run()
            }
            let rows = try await store.metricRows(
                serverID: server, tenantID: tenant, resolution: .raw, from: Self.t0 - 60, to: Self.t0 + 60)
            #expect(rows.map { $0.values["cpu.percent"]?.sum } == [7, 20.7333, 20.7333])
            #expect(rows[1].values["network.rx_bytes{interface=eth0}"]?.sum == 123_456_789_012)
            #expect(rows[1].values["load.1"]?.sum == 0 && rows[1].values["memory.used_percent"]?.sum == -0.5)
            let stored = try await store.pool.read(.tenant(tenant)) { db in
                try await db.raw("SELECT data FROM metric_samples WHERE encoding = 2 ORDER BY bucket").all().map {
                    try $0.decode(column: "data", as: String.self)
                }
            }
            let keyset = MetricEncoding.Keyset(tenantID: tenant, keys: values.keys)
            #expect(stored == Array(repeating: keyset.id + "\n20.7333,0,-0.5,123456789012", count: 2), "one key set, values only")
            let keysets = try await store.pool.read(.hub) { db in
                try await db.raw("SELECT COUNT(*) AS n FROM metric_keysets").first()?.decode(column: "n", as: Int.self)
            }
            #expect(keysets == 1)
            #expect(try await store.rollUpMetrics(into: .minute, until: Self.t0 + 180, window: 3600).buckets == 2)
            let minutes = try await store.metricRows(
                serverID: server, tenantID: tenant, resolution: .minute, from: Self.t0 - 60, to: Self.t0 + 60)
            #expect(
                minutes.map { $0.values["cpu.percent"] } == [
                    MetricAggregate(7), MetricAggregate(count: 2, sum: 41.4666, min: 20.7333, max: 20.7333),
                ])
        }
    }

    @Test(
        "raw samples roll up into minutes and hours with count, sum, min and max; a sample sent twice counts once",
        arguments: TestDatabase.available)
    func rollUps(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await JobStoreTests.server(store)
            let tenant = Store.defaultTenant
            // Minute 0: 10, 20, 30; minute 1: 40, 50, 60 (every 20 s); the second report repeats one.
            let samples = (0..<6).map { Self.sample(Double($0) * 20, cpu: Double($0 + 1) * 10) }
            try await store.appendMetrics(serverID: server, tenantID: tenant, samples: Array(samples[0..<4]))
            try await store.appendMetrics(serverID: server, tenantID: tenant, samples: Array(samples[3...]))
            let raw = try await store.metricRows(serverID: server, tenantID: tenant, resolution: .raw, from: Self.t0, to: Self.t0 + 3600)
            #expect(raw.count == 6)

            let rolled = try await store.rollUpMetrics(into: .minute, until: Self.t0 + 120, window: 6 * 3600)
            #expect(rolled == .init(buckets: 2, more: false))
            let minutes = try await store.metricRows(
                serverID: server, tenantID: tenant, resolution: .minute, from: Self.t0, to: Self.t0 + 3600)
            #expect(minutes.map(\.bucket) == [Self.t0, Self.t0 + 60])
            #expect(minutes[0].values["cpu.percent"] == MetricAggregate(count: 3, sum: 60, min: 10, max: 30))
            #expect(minutes[1].values["cpu.percent"] == MetricAggregate(count: 3, sum: 150, min: 40, max: 60))
            #expect(minutes[1].values["disk.used_percent{mount=/}"]?.count == 3)
            // Nothing new: a second round writes nothing and changes nothing.
            #expect(try await store.rollUpMetrics(into: .minute, until: Self.t0 + 120, window: 6 * 3600).buckets == 0)

            // A sample that arrives late (buffered by an agent) is rolled up again, once.
            try await store.appendMetrics(serverID: server, tenantID: tenant, samples: [Self.sample(50, cpu: 90)])
            #expect(try await store.rollUpMetrics(into: .minute, until: Self.t0 + 120, window: 6 * 3600).buckets == 2)
            let again = try await store.metricRows(serverID: server, tenantID: tenant, resolution: .minute, from: Self.t0, to: Self.t0 + 60)
            #expect(again.first?.values["cpu.percent"] == MetricAggregate(count: 4, sum: 150, min: 10, max: 90))

            // Hours from minutes, once the hour is over.
            #expect(try await store.rollUpMetrics(into: .hour, until: Self.t0 + 1800, window: 7 * 86_400).buckets == 0)
            #expect(try await store.rollUpMetrics(into: .hour, until: Self.t0 + 3600, window: 7 * 86_400).buckets == 1)
            let hour = try await store.metricRows(serverID: server, tenantID: tenant, resolution: .hour, from: Self.t0, to: Self.t0 + 3600)
            #expect(hour.first?.values["cpu.percent"] == MetricAggregate(count: 7, sum: 300, min: 10, max: 90))

            // Another tenant sees none of it.
            #expect(
                try await store.metricRows(serverID: server, tenantID: "t-other", resolution: .raw, from: Self.t0, to: Self.t0 + 3600)
                    .isEmpty)
        }
    }

    @Test(
        "a roll-up goes one window at a time and says when there is more; purges keep each resolution's retention",
        arguments: TestDatabase.available)
    func windowsAndPurges(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await JobStoreTests.server(store)
            let tenant = Store.defaultTenant
            // One sample every 10 minutes for 3 hours.
            let samples = (0..<18).map { Self.sample(Double($0) * 600, cpu: Double($0)) }
            try await store.appendMetrics(serverID: server, tenantID: tenant, samples: samples)
            let until = Self.t0 + 3 * 3600
            var rounds: [Store.RollUp] = []
            while rounds.count < 10 {
                let result = try await store.rollUpMetrics(into: .minute, until: until, window: 3600)
                rounds.append(result)
                if !result.more { break }
            }
            #expect(rounds == [.init(buckets: 6, more: true), .init(buckets: 6, more: true), .init(buckets: 6, more: false)])

            #expect(try await store.purgeMetrics(.raw, before: Self.t0 + 3600) == 6)
            let left = try await store.metricRows(serverID: server, tenantID: tenant, resolution: .raw, from: Self.t0, to: until)
            #expect(left.count == 12 && left.first?.bucket == Self.t0 + 3600)
            #expect(try await store.purgeMetrics(.minute, before: Self.t0) == 0)
            #expect(
                try await store.metricRows(serverID: server, tenantID: tenant, resolution: .minute, from: Self.t0, to: until).count == 18)
        }
    }
}
