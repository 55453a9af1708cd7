import Foundation
import SQLKit
import StewardCore

/// How finely metrics are kept: every sample, or roll-ups per minute and per hour.
public enum MetricResolution: Int, Sendable, CaseIterable, Comparable {
    case raw = 0
    case minute = 60
    case hour = 3600

    /// What a roll-up of this resolution is made from.
    var source: MetricResolution? {
        switch self {
        case .raw: nil
        case .minute: .raw
        case .hour: .minute
        }
    }

    var name: String {
        switch self {
        case .raw: "raw"
        case .minute: "1m"
        case .hour: "1h"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What the samples of one series in one bucket held.
public struct MetricAggregate: Sendable, Equatable {
    public var count: Double
    public var sum: Double
    public var min: Double
    public var max: Double

    init(_ value: Double) {
        (count, sum, min, max) = (1, value, value, value)
    }

    /// Nothing yet: what a merge starts from.
    static let empty = MetricAggregate(count: 0, sum: 0, min: .infinity, max: -.infinity)

    public init(count: Double, sum: Double, min: Double, max: Double) {
        (self.count, self.sum, self.min, self.max) = (count, sum, min, max)
    }

    mutating func merge(_ other: MetricAggregate) {
        count += other.count
        sum += other.sum
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
    }
}

/// One stored row: a server's sample (raw) or one of its roll-up buckets, every series in it.
public struct MetricRow: Sendable, Equatable {
    public var bucket: Date
    public var values: [String: MetricAggregate]
}

extension Store {
    /// Stores a server's samples; one delivered twice is kept once. A sample older than what the
    /// minute roll-up has done asks it to redo from there.
    public func appendMetrics(serverID: String, tenantID: String, samples: [Wire.Metrics.Sample]) async throws {
        guard let earliest = samples.map(\.at).min() else { return }
        let share = pool.kind == .postgresql ? " FOR SHARE" : ""
        try await pool.transaction(.tenant(tenantID)) { db in
            // Shared: ingests run side by side, but a roll-up (which locks the row for update) waits
            // for them, so it never rolls past a sample still being written.
            let rolledUntil = try await db.raw(
                "SELECT rolled_until FROM metric_rollups WHERE resolution = \(bind: MetricResolution.minute.rawValue)\(unsafeRaw: share)"
            ).first()?.decode(column: "rolled_until", as: Int64?.self)
            let keysets = samples.map { MetricEncoding.Keyset(tenantID: tenantID, keys: $0.values.keys) }
            try await Self.store(keysets, tenantID: tenantID, on: db)
            var insert = db.insert(into: "metric_samples").columns("server_id", "tenant_id", "resolution", "bucket", "encoding", "data")
            for (sample, keyset) in zip(samples, keysets) {
                insert = insert.values(
                    SQLBind(serverID), SQLBind(tenantID), SQLBind(0), SQLBind(Millis.from(sample.at)), SQLBind(MetricEncoding.current),
                    SQLBind(MetricEncoding.encodeRaw(sample.values, keyset: keyset)))
            }
            try await insert.ignoringConflicts(with: ["server_id", "resolution", "bucket"]).run()
            let late = Millis.from(earliest)
            if let rolledUntil, late < rolledUntil {
                try await Self.askRedo(.minute, from: late, on: db)
            }
        }
    }

    /// What one roll-up call did: how many buckets it wrote, and whether there is more to do before
    /// `until` (it took one window only).
    public struct RollUp: Sendable, Equatable {
        public var buckets: Int
        public var more: Bool

        public init(buckets: Int, more: Bool) {
            self.buckets = buckets
            self.more = more
        }
    }

    /// Rolls `target`'s source up into `target` for the complete buckets before `until`, taking at
    /// most `window` of the source at a time. Late samples are rolled up again from where they asked.
    /// When hubs share PostgreSQL, one of them does it at a time (another finds nothing to do).
    @discardableResult
    public func rollUpMetrics(into target: MetricResolution, until: Date, window: TimeInterval) async throws -> RollUp {
        let idle = RollUp(buckets: 0, more: false)
        guard let source = target.source else { return idle }
        let kind = pool.kind
        return try await pool.transaction(.hub) { db in
            if kind == .postgresql {
                let locked = try await db.raw("SELECT pg_try_advisory_xact_lock(\(bind: 727_100_100 + target.rawValue)) AS locked").first()?
                    .decode(column: "locked", as: Bool.self)
                guard locked == true else { return idle }
            }
            let lock = kind == .postgresql ? " FOR UPDATE" : ""
            guard
                let state = try await db.raw(
                    "SELECT rolled_until, redo_from FROM metric_rollups WHERE resolution = \(bind: target.rawValue)\(unsafeRaw: lock)"
                ).first()
            else { throw StoreError("no roll-up state for resolution \(target.rawValue)") }
            let rolledUntil = try state.decode(column: "rolled_until", as: Int64?.self)
            let redoFrom = try state.decode(column: "redo_from", as: Int64?.self)
            let step = Int64(target.rawValue) * 1000
            var begin: Int64
            if let rolledUntil {
                begin = min(rolledUntil, redoFrom ?? rolledUntil)
            } else {
                guard
                    let first = try await db.raw(
                        "SELECT MIN(bucket) AS first FROM metric_samples WHERE resolution = \(bind: source.rawValue)"
                    ).first()?.decode(column: "first", as: Int64?.self)
                else { return idle }
                begin = first
            }
            begin = Self.floor(begin, to: step)
            let limit = Self.floor(Millis.from(until), to: step)
            let end = min(limit, begin + Swift.max(step, Self.floor(Int64(window * 1000), to: step)))
            guard begin < end else { return idle }

            var buckets: [String: (server: String, tenant: String, bucket: Int64, values: [String: MetricAggregate])] = [:]
            let rows = try await db.raw(
                """
                SELECT server_id, tenant_id, bucket, encoding, data FROM metric_samples
                WHERE resolution = \(bind: source.rawValue) AND bucket >= \(bind: begin) AND bucket < \(bind: end)
                """
            ).all()
            let keys = try await Self.keys(of: rows, on: db)
            for row in rows {
                let server = try row.decode(column: "server_id", as: String.self)
                let bucket = Self.floor(try row.decode(column: "bucket", as: Int64.self), to: step)
                let values = try Self.decode(row, resolution: source, keys: keys)
                let key = "\(server)/\(bucket)"
                let tenant = try row.decode(column: "tenant_id", as: String.self)
                var entry = buckets[key] ?? (server, tenant, bucket, [:])
                for (series, aggregate) in values { entry.values[series, default: .empty].merge(aggregate) }
                buckets[key] = entry
            }
            try await db.raw(
                """
                DELETE FROM metric_samples WHERE resolution = \(bind: target.rawValue) AND bucket >= \(bind: begin) AND bucket < \(bind: end)
                """
            ).run()
            for chunk in Array(buckets.values).chunked(into: 200) {
                let keysets = chunk.map { MetricEncoding.Keyset(tenantID: $0.tenant, keys: $0.values.keys) }
                for (entry, keyset) in zip(chunk, keysets) { try await Self.store([keyset], tenantID: entry.tenant, on: db) }
                var insert = db.insert(into: "metric_samples").columns("server_id", "tenant_id", "resolution", "bucket", "encoding", "data")
                for (entry, keyset) in zip(chunk, keysets) {
                    insert = insert.values(
                        SQLBind(entry.server), SQLBind(entry.tenant), SQLBind(target.rawValue), SQLBind(entry.bucket),
                        SQLBind(MetricEncoding.current), SQLBind(MetricEncoding.encodeRollUp(entry.values, keyset: keyset)))
                }
                try await insert.run()
            }
            // A redo that is not finished goes on from `end` next time; one that is, or a normal round, is done.
            let newUntil = Swift.max(end, rolledUntil ?? end)
            let stillToRedo: Int64? = redoFrom != nil && end < (rolledUntil ?? end) ? end : nil
            try await db.raw(
                """
                UPDATE metric_rollups SET rolled_until = \(bind: newUntil), redo_from = \(bind: stillToRedo)
                WHERE resolution = \(bind: target.rawValue)
                """
            ).run()
            // Buckets the next resolution has rolled up already were just rewritten: it redoes them too.
            if let next = MetricResolution.allCases.first(where: { $0.source == target }),
                let nextUntil = try await db.raw(
                    "SELECT rolled_until FROM metric_rollups WHERE resolution = \(bind: next.rawValue)"
                ).first()?.decode(column: "rolled_until", as: Int64?.self), begin < nextUntil
            {
                try await Self.askRedo(next, from: begin, on: db)
            }
            return RollUp(buckets: buckets.count, more: end < limit)
        }
    }

    /// Deletes the rows of `resolution` older than `before`; how many went.
    @discardableResult
    public func purgeMetrics(_ resolution: MetricResolution, before: Date) async throws -> Int {
        try await pool.transaction(.hub) { db in
            try await db.raw(
                """
                DELETE FROM metric_samples WHERE resolution = \(bind: resolution.rawValue) AND bucket < \(bind: Millis.from(before))
                RETURNING bucket
                """
            ).all().count
        }
    }

    /// How much the stored metrics take, per resolution: rows, and bytes of their data column.
    public func metricsFootprint() async throws -> [(resolution: MetricResolution, rows: Int, dataBytes: Int)] {
        try await pool.read(.hub) { db in
            try await db.raw(
                "SELECT resolution, COUNT(*) AS n, SUM(LENGTH(data)) AS bytes FROM metric_samples GROUP BY resolution ORDER BY resolution"
            ).all().compactMap { row in
                guard let resolution = MetricResolution(rawValue: try row.decode(column: "resolution", as: Int.self)) else { return nil }
                return (resolution, try row.decode(column: "n", as: Int.self), try row.decode(column: "bytes", as: Int?.self) ?? 0)
            }
        }
    }

    /// A server's rows at one resolution with buckets from `from` up to and including `to` (a query
    /// "until now" includes the sample taken now), oldest first.
    public func metricRows(
        serverID: String, tenantID: String, resolution: MetricResolution, from: Date, to: Date
    ) async throws
        -> [MetricRow]
    {
        try await pool.read(.tenant(tenantID)) { db in
            let rows = try await db.raw(
                """
                SELECT bucket, encoding, data FROM metric_samples
                WHERE server_id = \(bind: serverID) AND tenant_id = \(bind: tenantID) AND resolution = \(bind: resolution.rawValue)
                    AND bucket >= \(bind: Millis.from(from)) AND bucket <= \(bind: Millis.from(to))
                ORDER BY bucket
                """
            ).all()
            let keys = try await Self.keys(of: rows, on: db)
            return try rows.map { row in
                MetricRow(
                    bucket: Millis.date(try row.decode(column: "bucket", as: Int64.self)),
                    values: try Self.decode(row, resolution: resolution, keys: keys))
            }
        }
    }

    private static func askRedo(_ resolution: MetricResolution, from millis: Int64, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE metric_rollups SET redo_from = CASE WHEN redo_from IS NULL OR redo_from > \(bind: millis) THEN \(bind: millis)
                ELSE redo_from END
            WHERE resolution = \(bind: resolution.rawValue)
            """
        ).run()
    }

    private static func floor(_ millis: Int64, to step: Int64) -> Int64 {
        millis >= 0 ? millis / step * step : -((-millis + step - 1) / step * step)
    }

    /// Stores the key sets rows are about to name (one already stored is left as it is).
    private static func store(_ keysets: [MetricEncoding.Keyset], tenantID: String, on db: any SQLDatabase) async throws {
        var seen: Set<String> = []
        for keyset in keysets where seen.insert(keyset.id).inserted {
            try await db.raw(
                """
                INSERT INTO metric_keysets (id, tenant_id, keys) VALUES (\(bind: keyset.id), \(bind: tenantID), \(bind: keyset.storedKeys))
                ON CONFLICT DO NOTHING
                """
            ).run()
        }
    }

    /// The keys of every key set the rows name, by id.
    static func keys(of rows: [any SQLRow], on db: any SQLDatabase) async throws -> [String: [String]] {
        var ids: Set<String> = []
        for row in rows where try row.decode(column: "encoding", as: Int.self) == 2 {
            if let id = MetricEncoding.keysetID(of: try row.decode(column: "data", as: String.self)) { ids.insert(String(id)) }
        }
        var keys: [String: [String]] = [:]
        for chunk in Array(ids).chunked(into: 100) {
            for row in try await db.select().columns("id", "keys").from("metric_keysets").where("id", .in, chunk).all() {
                let text = try row.decode(column: "keys", as: String.self)
                keys[try row.decode(column: "id", as: String.self)] = text.isEmpty ? [] : text.components(separatedBy: "\n")
            }
        }
        return keys
    }

    /// The series of a row, in whichever encoding it was written.
    static func decode(_ row: any SQLRow, resolution: MetricResolution, keys: [String: [String]]) throws -> [String: MetricAggregate] {
        let encoding = try row.decode(column: "encoding", as: Int.self)
        let data = try row.decode(column: "data", as: String.self)
        return try MetricEncoding.decode(
            data, encoding: encoding, raw: resolution == .raw, keys: MetricEncoding.keysetID(of: data).flatMap { keys[String($0)] })
    }
}

extension Array {
    fileprivate func chunked(into size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
