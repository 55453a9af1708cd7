import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOHTTP1
import StewardAgent
import StewardCore

#if canImport(Glibc)
import Glibc
#endif

/// `steward bench fleet`: one hub and thousands of simulated agents over real HTTP on loopback.
struct FleetBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Measure one hub under a large simulated fleet: memory, idle CPU, heartbeat and dispatch latency.",
        discussion: """
            Starts `steward hub` (SQLite), enrolls --agents agents through POST /api/v1/agent/register, and runs
            each as a small task in this process that speaks the agent's protocol as `steward agent` does: a
            hello, then long polls that carry its heartbeats and wait one heartbeat interval, each over its own
            kept-alive connection. After all have said hello the fleet idles for --idle-seconds (hub CPU and
            memory are measured then); then --jobs jobs are queued through POST /api/v1/jobs at --job-rate per
            second, each for another random agent, which "runs" it for --job-seconds (heartbeating on its own
            meanwhile, as a busy agent does) and reports success.

            heartbeat_*: heartbeats sent on their own (by agents running a job). poll_overhead_*: how much
            longer than its wait a poll that found nothing took, which is the hub taking the heartbeat it
            carried. dispatch_*: from just before the API call that queues a job to its envelope reaching
            the agent. The open file limit is raised to its hard limit for this process and the hub.
            Use a release build.
            """
    )

    @Option(help: "How many simulated agents.")
    var agents = 1000

    @Option(help: "The hub's heartbeat interval in seconds (the agents poll and heartbeat at it).")
    var heartbeatInterval = 15

    @Option(help: "Seconds the enrolled fleet idles while the hub's CPU is measured.")
    var idleSeconds = 60

    @Option(help: "Jobs queued after the idle phase, each for another agent.")
    var jobs = 300

    @Option(help: "Jobs queued per second.")
    var jobRate = 10.0

    @Option(help: "Seconds each job 'runs' on its simulated agent.")
    var jobSeconds = 20

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard (1...100_000).contains(agents) else { throw ValidationError("--agents must be between 1 and 100000") }
        guard (2...300).contains(heartbeatInterval) else { throw ValidationError("--heartbeat-interval must be between 2 and 300") }
        guard (0...agents).contains(jobs) else { throw ValidationError("--jobs must be between 0 and --agents") }
        guard jobRate > 0, idleSeconds >= 0, jobSeconds >= 0 else {
            throw ValidationError("--job-rate must be positive, --idle-seconds and --job-seconds not negative")
        }
    }

    struct Report: Encodable {
        var agents: Int
        var heartbeatIntervalS: Int
        var enrollS: Double
        var hubIdleCores: Double
        var hubRSSMiB: Double
        var hubOpenFiles: Int
        var heartbeatP50Ms: Double
        var heartbeatP99Ms: Double
        var pollOverheadP50Ms: Double
        var pollOverheadP99Ms: Double
        var dispatchP50Ms: Double
        var dispatchP99Ms: Double
        var jobs: Int
        var jobsFinished: Int
        var errors: Int
        var benchCores: Double

        enum CodingKeys: String, CodingKey {
            case agents, jobs, errors
            case heartbeatIntervalS = "heartbeat_interval_s"
            case enrollS = "enroll_s"
            case hubIdleCores = "hub_idle_cores"
            case hubRSSMiB = "hub_rss_mib"
            case hubOpenFiles = "hub_open_files"
            case heartbeatP50Ms = "heartbeat_p50_ms"
            case heartbeatP99Ms = "heartbeat_p99_ms"
            case pollOverheadP50Ms = "poll_overhead_p50_ms"
            case pollOverheadP99Ms = "poll_overhead_p99_ms"
            case dispatchP50Ms = "dispatch_p50_ms"
            case dispatchP99Ms = "dispatch_p99_ms"
            case jobsFinished = "jobs_finished"
            case benchCores = "bench_cores"
        }
    }

    /// Agents per HTTP client: each client's pool keeps its own connections, so no pool grows huge.
    private static let agentsPerClient = 250

    func run() async throws {
        try Self.raiseOpenFileLimit()
        try await BenchSupport.withHTTPClient { try await measure(api: $0) }
    }

    private func measure(api http: HTTPClient) async throws {
        let directory = try BenchSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try BenchSupport.freePort()
        let hubURL = "http://127.0.0.1:\(port)"
        let ownerToken = SecretToken.generate(.apiToken)
        let hub = try BenchSupport.launch(
            [
                "hub", "--data-dir", directory + "/hub", "--listen", "127.0.0.1:\(port)", "--log-format", "json",
                "--registration-rate", "1000000", "--heartbeat-interval", String(heartbeatInterval),
            ],
            environment: ["STEWARD_BOOTSTRAP_TOKEN": ownerToken, "LOG_LEVEL": "warning"])
        defer { BenchSupport.stop(hub) }
        _ = try await BenchSupport.timeUntil { await BenchSupport.healthy(hubURL, http: http) }
        let api = OperatorClient(baseURL: hubURL, apiToken: ownerToken, httpClient: http)

        let token: Wire.RegistrationToken.Created = try await api.post(
            "/api/v1/registration-tokens", body: Wire.RegistrationToken.CreateRequest(maxUses: agents))
        let facts = FactsCollector().collect()
        let enrollStart = ContinuousClock.now
        let enrolled = try await MetricsBench.inParallel(0..<agents, width: 32) { index in
            let answer: Wire.Registration.Response = try await MetricsBench.send(
                http, .POST, hubURL + "/api/v1/agent/register",
                body: Wire.Registration.Request(token: token.token, hostname: "fleet-\(index)", facts: facts), bearer: nil)
            return (
                serverID: answer.serverID, bearer: Wire.AgentCredential(agentID: answer.agentID, secret: answer.agentSecret).bearerValue
            )
        }
        let enrollSeconds = BenchSupport.milliseconds(.now - enrollStart) / 1000
        if !json { Console.write(String(format: "%d agents enrolled in %.1f s", agents, enrollSeconds)) }

        let clients = (0..<(agents + Self.agentsPerClient - 1) / Self.agentsPerClient).map { _ in
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 2 * Self.agentsPerClient
            return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        }
        do {
            try await measure(hub: hub, api: api, enrolled: enrolled, enrollSeconds: enrollSeconds, clients: clients)
        } catch {
            for client in clients { try? await client.shutdown() }
            throw error
        }
        for client in clients { try await client.shutdown() }
    }

    private func measure(
        hub: Process, api: OperatorClient, enrolled: [(serverID: String, bearer: String)], enrollSeconds: Double, clients: [HTTPClient]
    ) async throws {
        let hubURL = api.baseURL
        let recorder = FleetRecorder()
        let benchCPUStart = BenchSupport.cpuSeconds(getpid())
        let fleetStart = ContinuousClock.now
        let fleet = Task {
            await withTaskGroup(of: Void.self) { group in
                for (index, agent) in enrolled.enumerated() {
                    let simulated = SimulatedAgent(
                        index: index, hubURL: hubURL, bearer: agent.bearer, http: clients[index / Self.agentsPerClient],
                        interval: heartbeatInterval, jobDuration: .seconds(jobSeconds), recorder: recorder)
                    group.addTask { await simulated.run() }
                }
            }
        }
        defer { fleet.cancel() }
        let saidDeadline = ContinuousClock.now + .seconds(heartbeatInterval + 120)
        while await recorder.said < agents {
            guard ContinuousClock.now < saidDeadline else {
                throw BenchSupport.Failure(description: "only \(await recorder.said) of \(agents) agents said hello in time")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        // One interval more, so that every agent is in its steady rhythm of polls.
        try await Task.sleep(for: .seconds(heartbeatInterval))
        await recorder.startRecording()
        if !json { Console.write("all agents said hello; idling \(idleSeconds) s") }

        let idleCPUStart = BenchSupport.cpuSeconds(hub.processIdentifier)
        try await Task.sleep(for: .seconds(idleSeconds))
        let idleCores = idleSeconds > 0 ? (BenchSupport.cpuSeconds(hub.processIdentifier) - idleCPUStart) / Double(idleSeconds) : 0
        var hubMemory = BenchSupport.residentMiB(hub.processIdentifier)
        let openFiles = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(hub.processIdentifier)/fd").count) ?? 0
        if !json {
            Console.write(
                String(format: "idle: hub %.2f cores, %.0f MiB, %d open files; queueing %d jobs", idleCores, hubMemory, openFiles, jobs))
        }

        var step = Wire.Job.Step(type: .shell)
        step.command = "/bin/true"
        step.arguments = []
        let chosen = Array((0..<agents).shuffled().prefix(jobs))
        for index in chosen {
            let due = ContinuousClock.now + .milliseconds(Int(1000 / jobRate))
            await recorder.queueing(for: index)
            let _: Wire.Job.Info = try await api.post(
                "/api/v1/jobs", body: Wire.Job.StepsRequest(serverID: enrolled[index].serverID, steps: [step]))
            try await Task.sleep(until: due)
        }
        let finishDeadline = ContinuousClock.now + .seconds(jobSeconds + 2 * heartbeatInterval + 60)
        while await recorder.finished < jobs, ContinuousClock.now < finishDeadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        hubMemory = max(hubMemory, BenchSupport.residentMiB(hub.processIdentifier))
        let benchCores = (BenchSupport.cpuSeconds(getpid()) - benchCPUStart) / BenchSupport.milliseconds(.now - fleetStart) * 1000

        let report = Report(
            agents: agents, heartbeatIntervalS: heartbeatInterval, enrollS: enrollSeconds, hubIdleCores: idleCores,
            hubRSSMiB: hubMemory, hubOpenFiles: openFiles,
            heartbeatP50Ms: BenchSupport.percentile(await recorder.heartbeats, 50),
            heartbeatP99Ms: BenchSupport.percentile(await recorder.heartbeats, 99),
            pollOverheadP50Ms: BenchSupport.percentile(await recorder.pollOverheads, 50),
            pollOverheadP99Ms: BenchSupport.percentile(await recorder.pollOverheads, 99),
            dispatchP50Ms: BenchSupport.percentile(await recorder.dispatches, 50),
            dispatchP99Ms: BenchSupport.percentile(await recorder.dispatches, 99),
            jobs: jobs, jobsFinished: await recorder.finished, errors: await recorder.errors.count, benchCores: benchCores)
        fleet.cancel()
        if json {
            try BenchSupport.printJSON(report)
            return
        }
        for error in await recorder.errors where !error.isEmpty { Console.write("error: \(error)") }
        Console.write(
            String(
                format: """
                    %d agents, heartbeat interval %d s: hub %.1f MiB resident, %.2f cores idle, %d open files
                    heartbeats on their own: p50 %.1f ms, p99 %.1f ms (%d); polls' overhead: p50 %.1f ms, p99 %.1f ms (%d)
                    dispatch: p50 %.1f ms, p99 %.1f ms over %d jobs (%d finished); %d errors; this process used %.2f cores
                    """, agents, heartbeatInterval, report.hubRSSMiB, idleCores, openFiles, report.heartbeatP50Ms, report.heartbeatP99Ms,
                await recorder.heartbeats.count, report.pollOverheadP50Ms, report.pollOverheadP99Ms, await recorder.pollOverheads.count,
                report.dispatchP50Ms, report.dispatchP99Ms, jobs, report.jobsFinished, report.errors, benchCores))
    }

    /// Raises this process's open file limit to its hard limit; the hub it starts inherits it.
    static func raiseOpenFileLimit() throws {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { throw BenchSupport.Failure(description: "getrlimit failed") }
        limit.rlim_cur = limit.rlim_max
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { throw BenchSupport.Failure(description: "setrlimit failed") }
    }
}
