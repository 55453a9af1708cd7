import ArgumentParser
import AsyncHTTPClient
import Foundation
import StewardCore

#if canImport(Glibc)
import Glibc
#endif

/// `steward bench dispatch`: queue-to-result latency and throughput with a real hub and real agents.
struct DispatchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch",
        abstract: "Measure job dispatch: latency from the API call to the result, and jobs per second.",
        discussion: """
            Starts `steward hub` (SQLite) and --agents `steward agent` processes, each with a policy that allows
            /bin/true, and queues `shell /bin/true` jobs through POST /api/v1/jobs, spread over the agents.
            A job's latency runs from just before its API call to the moment its job.finished event reaches
            this process over GET /api/v1/events.

            Each run has two phases: one job at a time (latency: p50_ms, p99_ms), then --jobs jobs with
            --in-flight of them queued or running at once (jobs_per_s, and the latency under that load).
            Medians over --runs runs are reported, after one warm-up run. Memory is each process's resident
            set at the end. Use a release build.
            """
    )

    @Option(help: "How many agent processes.")
    var agents = 10

    @Option(help: "Jobs per run in the throughput phase.")
    var jobs = 1000

    @Option(help: "Jobs measured one at a time per run in the latency phase.")
    var sequential = 200

    @Option(help: "Jobs queued or running at once in the throughput phase.")
    var inFlight = 100

    @Option(help: "How many jobs each agent runs at once (its --concurrency).")
    var agentConcurrency = 1

    @Option(help: "How many measured runs; medians are reported.")
    var runs = 3

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard (1...500).contains(agents) else { throw ValidationError("--agents must be between 1 and 500") }
        guard (1...16).contains(agentConcurrency) else { throw ValidationError("--agent-concurrency must be between 1 and 16") }
        guard jobs >= 1, sequential >= 1, inFlight >= 1, runs >= 1 else {
            throw ValidationError("--jobs, --sequential, --in-flight and --runs must be at least 1")
        }
    }

    struct Report: Encodable {
        var agents: Int
        var jobs: Int
        var inFlight: Int
        var runs: Int
        var p50Ms: Double
        var p99Ms: Double
        var jobsPerS: Double
        var loadedP50Ms: Double
        var loadedP99Ms: Double
        var failedJobs: Int
        var hubRSSMiB: Double
        var agentRSSMiB: Double

        enum CodingKeys: String, CodingKey {
            case agents, jobs, runs
            case inFlight = "in_flight"
            case p50Ms = "p50_ms"
            case p99Ms = "p99_ms"
            case jobsPerS = "jobs_per_s"
            case loadedP50Ms = "loaded_p50_ms"
            case loadedP99Ms = "loaded_p99_ms"
            case failedJobs = "failed_jobs"
            case hubRSSMiB = "hub_rss_mib"
            case agentRSSMiB = "agent_rss_mib"
        }
    }

    func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = inFlight + 8
        try await BenchSupport.withHTTPClient(configuration) { try await measure(http: $0) }
    }

    private func measure(http: HTTPClient) async throws {
        let directory = try BenchSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let port = try BenchSupport.freePort()
        let hubURL = "http://127.0.0.1:\(port)"
        let ownerToken = SecretToken.generate(.apiToken)
        let hub = try BenchSupport.launch(
            [
                "hub", "--data-dir", directory + "/hub", "--listen", "127.0.0.1:\(port)", "--log-format", "json",
                // Every agent enrolls from 127.0.0.1 at once; the default limit would pace them.
                "--registration-rate", String(max(30, agents)),
            ],
            environment: ["STEWARD_BOOTSTRAP_TOKEN": ownerToken, "LOG_LEVEL": "warning"])
        defer { BenchSupport.stop(hub) }
        _ = try await BenchSupport.timeUntil { await BenchSupport.healthy(hubURL, http: http) }
        let api = OperatorClient(baseURL: hubURL, apiToken: ownerToken, httpClient: http)

        let policy = directory + "/policy.yml"
        try "shell: [{ command: /bin/true, arguments: [] }]\n".write(toFile: policy, atomically: true, encoding: .utf8)
        let token: Wire.RegistrationToken.Created = try await api.post(
            "/api/v1/registration-tokens", body: Wire.RegistrationToken.CreateRequest(maxUses: agents))
        var agentProcesses: [Process] = []
        defer { agentProcesses.forEach(BenchSupport.stop) }
        for index in 0..<agents {
            agentProcesses.append(
                try BenchSupport.launch(
                    [
                        "agent", "--hub", hubURL, "--token", token.token, "--state-dir", directory + "/agent-\(index)", "--policy", policy,
                        "--concurrency", String(agentConcurrency), "--log-format", "json",
                    ], environment: ["LOG_LEVEL": "warning"]))
        }
        var servers: [String] = []
        _ = try await BenchSupport.timeUntil {
            let list: Wire.ItemList<Wire.Server.Info> = try await api.get("/api/v1/servers")
            servers = list.items.filter { $0.status == .online }.map(\.id)
            return servers.count == agents
        }
        if !json { Console.write("hub and \(agents) agents online") }

        let results = Completions()
        let listener = Task {
            _ = try await api.stream("/api/v1/events?kind=job.finished", lastEventID: nil) { message in
                if let event = try? Wire.makeDecoder().decode(Wire.Event.self, from: Data(message.data.utf8)), let id = event.jobID {
                    await results.finish(id, succeeded: event.status == "succeeded")
                }
                return true
            }
        }
        defer { listener.cancel() }
        let runner = JobRunner(api: api, servers: servers, completions: results)

        var samples: [(sequential: [Double], loaded: [Double], jobsPerS: Double)] = []
        for run in 0...runs {
            let sequentialLatencies = try await runner.sequential(count: sequential)
            let (loaded, seconds) = try await runner.loaded(count: jobs, inFlight: inFlight)
            let sample = (sequentialLatencies, loaded, Double(jobs) / seconds)
            if run > 0 { samples.append(sample) }
            if !json {
                Console.write(
                    String(
                        format: "%@: p50 %.1f ms, p99 %.1f ms one at a time; %.0f jobs/s with %d in flight (p50 %.1f ms, p99 %.1f ms)",
                        run == 0 ? "warm-up" : "run \(run)", BenchSupport.percentile(sample.0, 50), BenchSupport.percentile(sample.0, 99),
                        sample.2,
                        inFlight, BenchSupport.percentile(sample.1, 50), BenchSupport.percentile(sample.1, 99)))
            }
        }
        let agentMemory = agentProcesses.map { BenchSupport.residentMiB($0.processIdentifier) }
        let report = Report(
            agents: agents, jobs: jobs, inFlight: inFlight, runs: runs,
            p50Ms: BenchSupport.median(samples.map { BenchSupport.percentile($0.sequential, 50) }),
            p99Ms: BenchSupport.median(samples.map { BenchSupport.percentile($0.sequential, 99) }),
            jobsPerS: BenchSupport.median(samples.map(\.jobsPerS)),
            loadedP50Ms: BenchSupport.median(samples.map { BenchSupport.percentile($0.loaded, 50) }),
            loadedP99Ms: BenchSupport.median(samples.map { BenchSupport.percentile($0.loaded, 99) }),
            failedJobs: await results.failures, hubRSSMiB: BenchSupport.residentMiB(hub.processIdentifier),
            agentRSSMiB: BenchSupport.median(agentMemory))
        if json {
            try BenchSupport.printJSON(report)
        } else {
            Console.write(
                String(
                    format: """
                        medians over %d runs, %d agents: p50 %.1f ms, p99 %.1f ms (one job at a time); %.0f jobs/s with %d in flight \
                        (p50 %.1f ms, p99 %.1f ms); %d jobs did not succeed
                        resident memory: hub %.1f MiB, agent %.1f MiB (median)
                        """, runs, agents, report.p50Ms, report.p99Ms, report.jobsPerS, inFlight, report.loadedP50Ms, report.loadedP99Ms,
                    report.failedJobs, report.hubRSSMiB, report.agentRSSMiB))
        }
    }
}

/// Which jobs have finished, reported by the event stream, and who waits for which.
private actor Completions {
    private var finished: Set<String> = []
    private var waiting: [String: CheckedContinuation<Void, Never>] = [:]
    private(set) var failures = 0

    func finish(_ id: String, succeeded: Bool) {
        if !succeeded { failures += 1 }
        if let waiter = waiting.removeValue(forKey: id) { waiter.resume() } else { finished.insert(id) }
    }

    func wait(for id: String) async {
        if finished.remove(id) != nil { return }
        await withCheckedContinuation { waiting[id] = $0 }
    }
}

/// Queues `/bin/true` jobs round-robin over the servers and times each to its job.finished event.
private struct JobRunner {
    let api: OperatorClient
    let servers: [String]
    let completions: Completions

    /// Queues one job on the `index`-th server (round-robin) and returns its latency in ms.
    func one(_ index: Int) async throws -> Double {
        var step = Wire.Job.Step(type: .shell)
        step.command = "/bin/true"
        step.arguments = []
        let start = ContinuousClock.now
        let job: Wire.Job.Info = try await api.post(
            "/api/v1/jobs", body: Wire.Job.StepsRequest(serverID: servers[index % servers.count], steps: [step]))
        await completions.wait(for: job.id)
        return BenchSupport.milliseconds(ContinuousClock.now - start)
    }

    func sequential(count: Int) async throws -> [Double] {
        var latencies: [Double] = []
        for index in 0..<count { latencies.append(try await one(index)) }
        return latencies
    }

    /// `count` jobs, `inFlight` at a time; their latencies and the seconds the whole batch took.
    func loaded(count: Int, inFlight: Int) async throws -> ([Double], Double) {
        let start = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for worker in 0..<min(inFlight, count) {
                group.addTask {
                    var mine: [Double] = []
                    for index in stride(from: worker, to: count, by: inFlight) { mine.append(try await one(index)) }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let elapsed = ContinuousClock.now - start
        return (latencies, BenchSupport.milliseconds(elapsed) / 1000)
    }
}
