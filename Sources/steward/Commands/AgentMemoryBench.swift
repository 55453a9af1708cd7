import ArgumentParser
import AsyncHTTPClient
import Foundation
import StewardCore

/// `steward bench agent-memory`: what an agent costs a server. Starts a hub and one agent (the slim
/// `steward-agent` built next to this binary, or `--agent PATH`), then samples the agent's resident
/// (RSS) and proportional (PSS) memory while idle and while it runs jobs, and reports the binary's size.
struct AgentMemoryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-memory", abstract: "Measure an agent's memory (RSS, PSS) idle and while running jobs, and its binary size.")

    @Option(help: "The agent program (a `steward` binary runs as `steward agent`); default: steward-agent next to this binary.")
    var agent: String?

    @Option(help: "Seconds to sample the idle agent (one sample a second).")
    var idleSeconds = 20

    @Option(help: "Jobs to run while sampling (shell steps of /bin/sleep 1, up to --concurrency at once).")
    var jobs = 30

    @Option(help: "Jobs the agent may run at once.")
    var concurrency = 4

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    struct Report: Encodable {
        var agent: String
        var binaryMiB: Double
        var idleRSSMiB: Double
        var idlePSSMiB: Double
        /// Of the idle RSS, the process's own memory (heap, stacks, relocated data); the rest is
        /// file-backed code and tables, shared with the page cache and reclaimable.
        var idleAnonymousMiB: Double
        var busyRSSMiB: Double
        var busyPSSMiB: Double
        var peakRSSMiB: Double
        var jobs: Int

        enum CodingKeys: String, CodingKey {
            case agent, jobs
            case binaryMiB = "binary_mib"
            case idleRSSMiB = "idle_rss_mib"
            case idlePSSMiB = "idle_pss_mib"
            case idleAnonymousMiB = "idle_anonymous_mib"
            case busyRSSMiB = "busy_rss_mib"
            case busyPSSMiB = "busy_pss_mib"
            case peakRSSMiB = "peak_rss_mib"
        }
    }

    func run() async throws {
        try await BenchSupport.withHTTPClient { try await measure(http: $0) }
    }

    /// The program and the arguments that start it as an agent.
    private func agentCommand() -> (path: String, arguments: [String]) {
        // A `steward` binary runs the agent as its `agent` command.
        if let agent { return (agent, (agent as NSString).lastPathComponent == "steward" ? ["agent"] : []) }
        let slim = (BenchSupport.executable as NSString).deletingLastPathComponent + "/steward-agent"
        if FileManager.default.isExecutableFile(atPath: slim) { return (slim, []) }
        return (BenchSupport.executable, ["agent"])
    }

    private func measure(http: HTTPClient) async throws {
        let directory = try BenchSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try BenchSupport.freePort()
        let hubURL = "http://127.0.0.1:\(port)"
        let ownerToken = SecretToken.generate(.apiToken)
        let hub = try BenchSupport.launch(
            ["hub", "--data-dir", directory + "/hub", "--listen", "127.0.0.1:\(port)"],
            environment: ["STEWARD_BOOTSTRAP_TOKEN": ownerToken, "LOG_LEVEL": "warning"])
        defer { BenchSupport.stop(hub) }
        _ = try await BenchSupport.timeUntil { await BenchSupport.healthy(hubURL, http: http) }
        let api = OperatorClient(baseURL: hubURL, apiToken: ownerToken, httpClient: http)
        let policy = directory + "/policy.yml"
        try "shell: [{ command: /bin/sleep, arguments: [\"^1$\"] }]\n".write(toFile: policy, atomically: true, encoding: .utf8)
        let token: Wire.RegistrationToken.Created = try await api.post(
            "/api/v1/registration-tokens", body: Wire.RegistrationToken.CreateRequest(maxUses: 1))
        let (program, prefix) = agentCommand()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments =
            prefix + [
                "--hub", hubURL, "--token", token.token, "--state-dir", directory + "/agent", "--policy", policy,
                "--concurrency", String(concurrency), "--containers-interval", "0",
            ]
        process.environment = ["LOG_LEVEL": "warning", "PATH": "/usr/bin:/bin"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { BenchSupport.stop(process) }
        var serverID = ""
        _ = try await BenchSupport.timeUntil {
            let list: Wire.ItemList<Wire.Server.Info> = try await api.get("/api/v1/servers")
            serverID = list.items.first { $0.status == .online }?.id ?? ""
            return !serverID.isEmpty
        }
        let pid = process.processIdentifier
        if !json { Console.write("agent \(program) online; sampling it idle for \(idleSeconds) s") }
        // Let start-up settle (first heartbeat, facts, the first metrics sample) before sampling.
        try await Task.sleep(for: .seconds(3))
        var idle: [(rss: Double, pss: Double, anonymous: Double)] = []
        for _ in 0..<idleSeconds {
            idle.append(Self.memory(pid))
            try await Task.sleep(for: .seconds(1))
        }
        BenchSupport.resetPeakResident(pid)
        if !json { Console.write("running \(jobs) jobs, \(concurrency) at a time") }
        var step = Wire.Job.Step(type: .shell)
        step.command = "/bin/sleep"
        step.arguments = ["1"]
        var queued: [String] = []
        for _ in 0..<jobs {
            let job: Wire.Job.Info = try await api.post("/api/v1/jobs", body: Wire.Job.StepsRequest(serverID: serverID, steps: [step]))
            queued.append(job.id)
        }
        var busy: [(rss: Double, pss: Double, anonymous: Double)] = []
        var open = Set(queued)
        let deadline = ContinuousClock.now + .seconds(Double(jobs) + 60)
        while !open.isEmpty, ContinuousClock.now < deadline {
            busy.append(Self.memory(pid))
            try await Task.sleep(for: .milliseconds(500))
            for id in open {
                let job: Wire.Job.Info = try await api.get("/api/v1/jobs/\(id)")
                if job.status.isFinal {
                    guard job.status == .succeeded else { throw BenchSupport.Failure(description: "job \(id) ended \(job.status)") }
                    open.remove(id)
                }
            }
        }
        guard open.isEmpty else { throw BenchSupport.Failure(description: "\(open.count) jobs did not finish in time") }
        let size = (try? FileManager.default.attributesOfItem(atPath: program)[.size] as? Int) ?? 0
        let report = Report(
            agent: program + (prefix.isEmpty ? "" : " " + prefix.joined(separator: " ")), binaryMiB: Double(size) / 1_048_576,
            idleRSSMiB: BenchSupport.median(idle.map(\.rss)), idlePSSMiB: BenchSupport.median(idle.map(\.pss)),
            idleAnonymousMiB: BenchSupport.median(idle.map(\.anonymous)),
            busyRSSMiB: BenchSupport.median(busy.map(\.rss)), busyPSSMiB: BenchSupport.median(busy.map(\.pss)),
            peakRSSMiB: BenchSupport.peakResidentMiB(pid), jobs: jobs)
        if json { return try BenchSupport.printJSON(report) }
        Console.write(
            String(
                format:
                    "%@: binary %.1f MiB\n  idle:    RSS %.1f MiB, PSS %.1f MiB (median of %d samples), of which anonymous %.1f MiB (the rest: code and tables mapped from files)\n  running: RSS %.1f MiB, PSS %.1f MiB (median), peak RSS %.1f MiB\n  for scale: salt-minion idles at about 70 MiB RSS (the issue's figure, not measured here)",
                report.agent, report.binaryMiB, report.idleRSSMiB, report.idlePSSMiB, idle.count, report.idleAnonymousMiB,
                report.busyRSSMiB, report.busyPSSMiB,
                report.peakRSSMiB))
    }

    /// RSS, PSS and anonymous memory in MiB, from `/proc/PID/smaps_rollup` (PSS counts shared pages
    /// by share).
    static func memory(_ pid: Int32) -> (rss: Double, pss: Double, anonymous: Double) {
        let file = "/proc/\(pid)/smaps_rollup"
        guard let rss = BenchSupport.kilobytes("Rss:", in: file), let pss = BenchSupport.kilobytes("Pss:", in: file),
            let anonymous = BenchSupport.kilobytes("Anonymous:", in: file)
        else {
            return (BenchSupport.residentMiB(pid), 0, 0)
        }
        return (rss / 1024, pss / 1024, anonymous / 1024)
    }
}
