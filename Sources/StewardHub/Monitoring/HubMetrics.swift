import CoreMetrics
import Foundation
import Prometheus

/// The hub's own metrics, for the monitoring operators already run (`GET /metrics` on
/// `--metrics-listen`, Prometheus text format). Recorded through swift-metrics with a factory of this
/// hub's own registry, not the process-wide `MetricsSystem`: several hubs in one test process keep
/// theirs apart. Every name starts with `steward_`.
public final class HubMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    /// Long polls waiting for a job right now.
    private let polls: CoreMetrics.Meter
    private let dispatchLatency: CoreMetrics.Timer
    private let logBytes: CoreMetrics.Counter
    private let sweeps: CoreMetrics.Timer
    private let poolWaits: CoreMetrics.Timer

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Dispatch is measured in milliseconds (a queued job reaches a waiting agent in a few), a
        // long poll or a slow page in seconds.
        factory.durationHistogramBuckets["steward_job_dispatch_latency_seconds"] = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30),
        ]
        // Waiting for a database connection should take microseconds; milliseconds mean contention.
        factory.durationHistogramBuckets["steward_db_pool_wait_seconds"] = [
            .microseconds(100), .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500),
            .seconds(2), .seconds(10),
        ]
        self.factory = factory
        polls = CoreMetrics.Meter(label: "steward_long_polls", factory: factory)
        dispatchLatency = CoreMetrics.Timer(label: "steward_job_dispatch_latency_seconds", factory: factory)
        logBytes = CoreMetrics.Counter(label: "steward_job_log_bytes_total", factory: factory)
        sweeps = CoreMetrics.Timer(label: "steward_sweeper_duration_seconds", factory: factory)
        poolWaits = CoreMetrics.Timer(label: "steward_db_pool_wait_seconds", factory: factory)
    }

    /// One answered HTTP request, by route pattern (`/api/v1/jobs/{id}`, never the id itself).
    func request(method: String, route: String, status: Int, duration: Duration) {
        let labels = [("method", method), ("route", route), ("status", String(status))]
        CoreMetrics.Counter(label: "steward_http_requests_total", dimensions: labels, factory: factory).increment()
        CoreMetrics.Timer(
            label: "steward_http_request_duration_seconds", dimensions: [("method", method), ("route", route)], factory: factory
        )
        .recordNanoseconds(Self.nanoseconds(duration))
    }

    func pollStarted() { polls.increment() }
    func pollEnded() { polls.decrement() }

    /// From when a job could run (queued, or its retry due) to when an agent took it.
    func dispatched(after seconds: TimeInterval) {
        dispatchLatency.recordNanoseconds(Int64(max(0, seconds) * 1_000_000_000))
    }

    func logIngested(bytes: Int) { logBytes.increment(by: bytes) }

    /// How long a database access waited for its connection (SQLite's one, or PostgreSQL's pool of 20).
    @Sendable func poolWaited(_ duration: Duration) {
        poolWaits.recordNanoseconds(Self.nanoseconds(duration))
    }

    func sweepTook(_ duration: Duration) {
        sweeps.recordNanoseconds(Self.nanoseconds(duration))
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    /// What only the database knows, read when scraped.
    struct Snapshot: Sendable {
        var jobsByStatus: [String: Int]
        var queueDepth: Int
        var agentsOnline: Int
        var serversEnrolled: Int
        var sseClients: Int
    }

    /// The text a scrape gets: `snapshot` set as gauges, then every metric.
    func exposition(_ snapshot: Snapshot) -> [UInt8] {
        for status in Set(snapshot.jobsByStatus.keys).union(["queued", "running", "retrying", "failed", "succeeded"]) {
            CoreMetrics.Gauge(label: "steward_jobs", dimensions: [("status", status)], factory: factory)
                .record(snapshot.jobsByStatus[status] ?? 0)
        }
        CoreMetrics.Gauge(label: "steward_job_queue_depth", factory: factory).record(snapshot.queueDepth)
        CoreMetrics.Gauge(label: "steward_agents_online", factory: factory).record(snapshot.agentsOnline)
        CoreMetrics.Gauge(label: "steward_servers", factory: factory).record(snapshot.serversEnrolled)
        CoreMetrics.Gauge(label: "steward_sse_clients", factory: factory).record(snapshot.sseClients)
        return registry.emitToBuffer()
    }
}
