import Foundation
import StewardCore

/// Host metrics: what agents report is checked and stored, and operators' queries are answered at
/// the resolution that covers them. The API and the console both read through here.
public struct MetricsService: Sendable {
    let store: Store
    let clock: HubClock
    let retention: MetricsRetention

    static let maxSamplesPerReport = 1000
    static let maxSeriesPerSample = 500
    static let maxPoints = 2000
    /// A sample may be this far ahead of the hub's clock (clock skew); further ones are refused.
    static let allowedSkew: TimeInterval = 600

    /// Stores a report; samples older than raw retention are skipped (they would be purged at once).
    /// A report with a malformed series key, a value that is not a finite number, or a sample from
    /// the future is refused whole, naming what is wrong.
    func ingest(_ report: Wire.Metrics.Report, from agent: AgentRecord) async throws {
        let now = clock.now
        guard report.samples.count <= Self.maxSamplesPerReport else {
            throw APIError.invalid([.init(field: "samples", message: "at most \(Self.maxSamplesPerReport) per report")])
        }
        var problems: [Wire.FieldError] = []
        for (index, sample) in report.samples.enumerated() {
            if sample.values.count > Self.maxSeriesPerSample {
                problems.append(.init(field: "samples[\(index)].values", message: "at most \(Self.maxSeriesPerSample) series"))
            }
            if sample.at > now.addingTimeInterval(Self.allowedSkew) {
                problems.append(.init(field: "samples[\(index)].at", message: "is more than 10 minutes ahead of the hub's clock"))
            }
            for (key, value) in sample.values where Wire.Metrics.parse(key: key) == nil || !value.isFinite {
                problems.append(
                    .init(field: "samples[\(index)].values.\(key.prefix(80))", message: "not a series key with a finite number"))
                break
            }
        }
        guard problems.isEmpty else { throw APIError.invalid(Array(problems.prefix(20))) }
        let oldest = now.addingTimeInterval(-retention.raw)
        let kept = report.samples.filter { $0.at >= oldest }
        try await store.appendMetrics(serverID: agent.serverID, tenantID: agent.tenantID, samples: kept)
        if let latest = kept.max(by: { $0.at < $1.at }) {
            try await store.recordFleetEvents(Self.fullDisks(in: latest, serverID: agent.serverID, tenantID: agent.tenantID))
        }
    }

    /// A filesystem this full is an event: `warning` from 90 %, `critical` from 95 %.
    static let almostFull = 90.0

    /// A `disk.almost_full` event for each filesystem of the sample past ``almostFull``; one a day
    /// per filesystem at most (its `dedupe_key` names the day).
    static func fullDisks(in sample: Wire.Metrics.Sample, serverID: String, tenantID: String) -> [FleetEventRecord] {
        let day = sample.at.formatted(.iso8601.year().month().day())
        return sample.values.keys.sorted().compactMap { key in
            guard let value = sample.values[key], value >= almostFull, let parsed = Wire.Metrics.parse(key: key),
                parsed.name == "disk.used_percent", let mount = parsed.labels["mount"]
            else { return nil }
            return FleetEventRecord(
                tenantID: tenantID, serverID: serverID, kind: "disk.almost_full", severity: value >= 95 ? .critical : .warning,
                message: "the filesystem at \(mount) is \(Int(value)) % full", dedupeKey: "disk:\(serverID):\(mount):\(day)", at: sample.at)
        }
    }

    /// The series of `names` (every label combination of each) for one server, from `from` to `to`,
    /// one point per `step` seconds with the least, mean and greatest value of the samples in it.
    /// Without `step` the hub picks one that gives about 300 points.
    func query(
        serverID: String, tenantID: String, names: [String], from: Date?, to: Date?, step: Int?
    ) async throws -> Wire.Metrics.Query {
        let now = clock.now
        let end = to ?? now
        let start = from ?? end.addingTimeInterval(-3600)
        var problems: [Wire.FieldError] = []
        if names.isEmpty || names.count > 50 { problems.append(.init(field: "names", message: "give 1 to 50 metric names")) }
        for name in names where Wire.Metrics.parse(key: name) == nil || name.contains("{") {
            problems.append(.init(field: "names", message: "\(name.prefix(80)) is not a metric name"))
        }
        if start >= end { problems.append(.init(field: "from", message: "must be before to")) }
        let span = end.timeIntervalSince(start)
        let chosenStep = step ?? Swift.max(15, Int((span / 300).rounded(.up)))
        if chosenStep < 1 || chosenStep > 86_400 * 31 {
            problems.append(.init(field: "step", message: "must be between 1 and 2678400 seconds"))
        }
        if span / Double(Swift.max(chosenStep, 1)) > Double(Self.maxPoints) {
            problems.append(.init(field: "step", message: "gives more than \(Self.maxPoints) points; use a larger step"))
        }
        guard problems.isEmpty else { throw APIError.invalid(problems) }

        let resolution = Self.resolution(for: chosenStep, from: start, now: now, retention: retention)
        let rows = try await store.metricRows(serverID: serverID, tenantID: tenantID, resolution: resolution, from: start, to: end)
        let wanted = Set(names)
        var series: [String: [Int64: MetricAggregate]] = [:]
        let stepMillis = Int64(chosenStep) * 1000
        let origin = Millis.from(start)
        for row in rows {
            let slot = origin + (Millis.from(row.bucket) - origin) / stepMillis * stepMillis
            for (key, aggregate) in row.values {
                guard let parsed = Wire.Metrics.parse(key: key), wanted.contains(parsed.name) else { continue }
                series[key, default: [:]][slot, default: .empty].merge(aggregate)
            }
        }
        let result = series.sorted { $0.key < $1.key }.compactMap { key, slots -> Wire.Metrics.Series? in
            guard let parsed = Wire.Metrics.parse(key: key) else { return nil }
            let points = slots.sorted { $0.key < $1.key }.map { slot, aggregate in
                Wire.Metrics.Point(
                    at: Millis.date(slot), min: aggregate.min, avg: Self.rounded(aggregate.sum / aggregate.count), max: aggregate.max)
            }
            return Wire.Metrics.Series(name: parsed.name, labels: parsed.labels, points: points)
        }
        return .init(from: start, to: end, step: chosenStep, resolution: resolution.name, series: result)
    }

    /// Raw samples for steps under a minute, minute roll-ups for steps under an hour, hour roll-ups
    /// beyond; coarser when the retention of that one no longer reaches back to `from`.
    static func resolution(for step: Int, from: Date, now: Date, retention: MetricsRetention) -> MetricResolution {
        let age = now.timeIntervalSince(from)
        let finest: MetricResolution = step < 60 ? .raw : (step < 3600 ? .minute : .hour)
        return MetricResolution.allCases.first { $0 >= finest && retention.keeps($0) >= age } ?? .hour
    }

    private static func rounded(_ value: Double) -> Double {
        (value * 1000).rounded() / 1000
    }
}
