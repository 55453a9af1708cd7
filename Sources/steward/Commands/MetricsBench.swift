import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import StewardAgent
import StewardCore
import StewardHub

#if canImport(Glibc)
import Glibc
#endif

/// `steward bench metrics`: what host metrics cost the hub, in storage and in ingest.
struct MetricsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Measure metrics storage per server and day, and ingest for many simulated servers.",
        discussion: """
            Starts `steward hub` (SQLite) and enrolls --servers simulated servers. Each reports one sample
            per round, --rounds times, as agents do every interval (64 reports in flight at once); the
            samples are this machine's own (the agent's collector), so the series are what a real agent
            sends. Reports the latency of a report (median, p99), reports per second, and the hub's CPU
            time per round, as the share of one core it needs at --interval.

            Then one more server delivers a whole day of samples at --interval (as an agent does after an
            outage, 240 per report). The hub is stopped between phases, so that SQLite folds its
            write-ahead log into the database file; the file's growth over that day, and over rolling it
            up into minutes and hours, gives the bytes per server and day on disk (indexes included),
            and with the default retention (48 h raw, 14 days of minutes, 400 days of hours) per server
            in all. Use a release build.
            """
    )

    @Option(help: "Simulated servers reporting at once.")
    var servers = 1000

    @Option(help: "Rounds of one report per server.")
    var rounds = 4

    @Option(help: "Seconds between samples (the agent's --metrics-interval).")
    var interval = 15

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard (1...20_000).contains(servers) else { throw ValidationError("--servers must be between 1 and 20000") }
        guard (1...100).contains(rounds) else { throw ValidationError("--rounds must be between 1 and 100") }
        guard (5...3600).contains(interval) else { throw ValidationError("--interval must be between 5 and 3600") }
    }

    struct Report: Encodable {
        var servers: Int
        var series: Int
        var intervalSeconds: Int
        var reports: Int
        var reportMedianMs: Double
        var reportP99Ms: Double
        var reportsPerSecond: Double
        var hubCPUSecondsPerRound: Double
        var hubCoresAtInterval: Double
        var rawRowDataBytes: Double
        var rawRowJSONBytes: Double
        var rawRowDiskBytes: Double
        var rollUpDiskBytesPerDay: Double
        var bytesPerServerPerDay: Double
        var bytesPerServerAtRetention: Double

        enum CodingKeys: String, CodingKey {
            case servers, series, reports
            case intervalSeconds = "interval_seconds"
            case reportMedianMs = "report_median_ms"
            case reportP99Ms = "report_p99_ms"
            case reportsPerSecond = "reports_per_second"
            case hubCPUSecondsPerRound = "hub_cpu_seconds_per_round"
            case hubCoresAtInterval = "hub_cores_at_interval"
            case rawRowDataBytes = "raw_row_data_bytes"
            case rawRowJSONBytes = "raw_row_json_bytes"
            case rawRowDiskBytes = "raw_row_disk_bytes"
            case rollUpDiskBytesPerDay = "roll_up_disk_bytes_per_day"
            case bytesPerServerPerDay = "bytes_per_server_per_day"
            case bytesPerServerAtRetention = "bytes_per_server_at_retention"
        }
    }

    /// One enrolled simulated server: its id and the bearer value of its agent.
    struct Simulated: Sendable {
        var serverID: String
        var bearer: String
    }

    func run() async throws {
        let directory = NSTemporaryDirectory() + "steward-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let http = HTTPClient.shared
        let port = try BenchSupport.freePort()
        let hubURL = "http://127.0.0.1:\(port)"
        let ownerToken = SecretToken.generate(.apiToken)
        let hubArguments = [
            "hub", "--data-dir", directory + "/hub", "--listen", "127.0.0.1:\(port)", "--log-format", "json", "--registration-rate",
            "1000000",
        ]
        func startHub() async throws -> Process {
            let hub = try BenchSupport.launch(hubArguments, environment: ["STEWARD_BOOTSTRAP_TOKEN": ownerToken, "LOG_LEVEL": "warning"])
            _ = try await BenchSupport.timeUntil { await BenchSupport.healthy(hubURL, http: http) }
            return hub
        }
        var hub = try await startHub()
        defer { BenchSupport.stop(hub) }
        let api = OperatorClient(baseURL: hubURL, apiToken: ownerToken, httpClient: http)

        // This machine's own sample, as its agent would send it (the first one has no CPU or network rates).
        var collector = HostMetrics()
        _ = collector.sample(at: Date())
        try await Task.sleep(for: .seconds(1))
        let template = collector.sample(at: Date()).values
        if !json { Console.write("\(template.count) series per sample; enrolling \(servers + 1) servers") }

        let token: Wire.RegistrationToken.Created = try await api.post(
            "/api/v1/registration-tokens", body: Wire.RegistrationToken.CreateRequest(maxUses: servers + 1))
        let facts = FactsCollector().collect()
        let fleet = try await Self.inParallel(0...servers, width: 32) { index in
            let answer: Wire.Registration.Response = try await Self.send(
                http, .POST, hubURL + "/api/v1/agent/register",
                body: Wire.Registration.Request(token: token.token, hostname: "bench-\(index)", facts: facts), bearer: nil)
            return Simulated(
                serverID: answer.serverID, bearer: Wire.AgentCredential(agentID: answer.agentID, secret: answer.agentSecret).bearerValue)
        }
        let reporters = Array(fleet.dropLast())
        let dayServer = fleet.last!

        // Ingest: each round, every server sends one sample with its own small variation.
        var latencies: [Double] = []
        let cpuBefore = BenchSupport.cpuSeconds(hub.processIdentifier)
        let ingestStart = ContinuousClock.now
        for round in 0..<rounds {
            let at = Date()
            latencies += try await Self.inParallel(reporters.indices, width: 64) { index in
                let values = template.mapValues { $0 * (1 + 0.01 * Double((index + round) % 7)) }
                let start = ContinuousClock.now
                try await Self.post(http, hubURL, samples: [.init(at: at, values: values)], bearer: reporters[index].bearer)
                return BenchSupport.milliseconds(ContinuousClock.now - start)
            }
            if !json { Console.write("round \(round + 1): \(reporters.count) reports") }
        }
        let ingestSeconds = BenchSupport.milliseconds(ContinuousClock.now - ingestStart) / 1000
        let cpuPerRound = (BenchSupport.cpuSeconds(hub.processIdentifier) - cpuBefore) / Double(rounds)

        // Storage: one server's day, measured as the database file's growth.
        let database = directory + "/hub/steward.sqlite"
        BenchSupport.stop(hub)
        let before = Self.fileSize(database)
        hub = try await startHub()
        let perDay = 86_400 / interval
        let dayStart = Date().addingTimeInterval(-86_400 - 300)
        let samples = (0..<perDay).map { index in
            Wire.Metrics.Sample(
                at: dayStart.addingTimeInterval(Double(index * interval)),
                values: template.mapValues { $0 * (1 + 0.001 * Double(index % 13)) })
        }
        for batch in stride(from: 0, to: samples.count, by: 240) {
            try await Self.post(http, hubURL, samples: Array(samples[batch..<min(batch + 240, samples.count)]), bearer: dayServer.bearer)
        }
        BenchSupport.stop(hub)
        let afterRaw = Self.fileSize(database)
        // Roll the day up with the hub's own code, as its maintenance service would.
        let logger = Logger(label: "bench")
        let pool = try await SQLitePool.open(path: database, logger: logger)
        let store = Store(pool: pool)
        let until = Date().addingTimeInterval(-120)
        for (target, window) in [(MetricResolution.minute, 6 * 3600.0), (.hour, 7 * 86_400.0)] {
            while try await store.rollUpMetrics(into: target, until: until, window: window).more {}
        }
        let footprint = try await store.metricsFootprint()
        try await pool.close()
        let afterRollUp = Self.fileSize(database)

        let raw = footprint.first { $0.resolution == .raw }
        let rawRows = Double(raw?.rows ?? 1)
        let jsonBytes = Double(try JSONEncoder().encode(template).count)
        let rawDisk = Double(afterRaw - before) / Double(perDay)
        let rollUpDay = Double(max(0, afterRollUp - afterRaw))
        let rawDay = rawDisk * Double(perDay)
        let minuteShare = 1440.0 / (1440 + 24)
        let report = Report(
            servers: servers, series: template.count, intervalSeconds: interval, reports: latencies.count,
            reportMedianMs: BenchSupport.median(latencies), reportP99Ms: BenchSupport.percentile(latencies, 99),
            reportsPerSecond: Double(latencies.count) / ingestSeconds, hubCPUSecondsPerRound: cpuPerRound,
            hubCoresAtInterval: cpuPerRound / Double(interval), rawRowDataBytes: Double(raw?.dataBytes ?? 0) / rawRows,
            rawRowJSONBytes: jsonBytes, rawRowDiskBytes: rawDisk, rollUpDiskBytesPerDay: rollUpDay,
            bytesPerServerPerDay: rawDay + rollUpDay,
            bytesPerServerAtRetention: 2 * rawDay + 14 * rollUpDay * minuteShare + 400 * rollUpDay * (1 - minuteShare))
        if json {
            try BenchSupport.printJSON(report)
            return
        }
        Console.write(
            String(
                format: """
                    ingest: %d reports from %d servers in %.1f s (%.0f reports/s); a report takes %.1f ms (median), %.1f ms (p99)
                    hub CPU: %.2f s per round of %d reports, %.1f %% of one core at a %d s interval
                    storage: a raw row holds %.0f bytes of data (%.0f as JSON, encoding 1) and takes %.0f bytes on disk with its indexes
                    per server and day: %.2f MB raw + %.2f MB of roll-ups = %.2f MB; at the default retention %.1f MB
                    """, latencies.count, reporters.count, ingestSeconds, report.reportsPerSecond, report.reportMedianMs,
                report.reportP99Ms, cpuPerRound, reporters.count, 100 * report.hubCoresAtInterval, interval, report.rawRowDataBytes,
                jsonBytes, rawDisk, rawDay / 1e6, rollUpDay / 1e6, report.bytesPerServerPerDay / 1e6, report.bytesPerServerAtRetention / 1e6
            ))
    }

    static func fileSize(_ path: String) -> Int64 {
        ["", "-wal"].reduce(Int64(0)) { total, suffix in
            total + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int64) ?? 0)
        }
    }

    static func post(_ http: HTTPClient, _ hubURL: String, samples: [Wire.Metrics.Sample], bearer: String) async throws {
        var request = HTTPClientRequest(url: hubURL + "/api/v1/agent/metrics")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(bearer)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try Wire.makeEncoder().encode(Wire.Metrics.Report(samples: samples))))
        let response = try await http.execute(request, timeout: .seconds(60))
        guard response.status == .noContent else {
            let body = try await response.body.collect(upTo: 1 << 16)
            throw BenchSupport.Failure(description: "metrics report: HTTP \(response.status.code) \(String(buffer: body))")
        }
    }

    static func send<Answer: Decodable>(
        _ http: HTTPClient, _ method: HTTPMethod, _ url: String, body: some Encodable, bearer: String?
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try Wire.makeEncoder().encode(body)))
        let response = try await http.execute(request, timeout: .seconds(60))
        let data = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw BenchSupport.Failure(description: "\(url): HTTP \(response.status.code) \(String(buffer: data))")
        }
        return try Wire.makeDecoder().decode(Answer.self, from: Data(data.readableBytesView))
    }

    /// `work` for every index, at most `width` at a time; results in index order.
    static func inParallel<Result: Sendable>(
        _ indices: some Collection<Int> & Sendable, width: Int, _ work: @escaping @Sendable (Int) async throws -> Result
    ) async throws -> [Result] {
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var results: [Int: Result] = [:]
            var iterator = indices.makeIterator()
            for _ in 0..<width {
                guard let index = iterator.next() else { break }
                group.addTask { (index, try await work(index)) }
            }
            while let (index, result) = try await group.next() {
                results[index] = result
                if let next = iterator.next() { group.addTask { (next, try await work(next)) } }
            }
            return indices.map { results[$0]! }
        }
    }
}
