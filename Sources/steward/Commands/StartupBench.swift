import ArgumentParser
import AsyncHTTPClient
import Foundation
import StewardCore

#if canImport(Glibc)
import Glibc
#endif

/// `steward bench startup`: hub cold start, enrollment latency and idle memory, with real processes.
struct StartupBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "startup",
        abstract: "Time hub start-up and agent enrollment; measure idle memory.",
        discussion: """
            Each run starts `steward hub` on a new SQLite data directory and times it until /api/v1/health
            answers (first start: migrations and owner creation included), restarts it on the same directory
            (restart), then starts `steward agent` and times it until the server is listed online. Finally one
            hub and agent idle for --idle-seconds and their resident memory is read from /proc.
            """
    )

    @Option(help: "How many runs; medians are reported.")
    var runs = 5

    @Option(help: "How long the agent idles before its memory is read.")
    var idleSeconds = 60

    @Flag(help: "Print one JSON object.")
    var json = false

    struct Report: Encodable {
        var runs: Int
        var hubFirstStartMs: Double
        var hubRestartMs: Double
        var agentToOnlineMs: Double
        var idleSeconds: Int
        var hubRSSMiB: Double
        var agentRSSMiB: Double

        enum CodingKeys: String, CodingKey {
            case runs
            case hubFirstStartMs = "hub_first_start_ms"
            case hubRestartMs = "hub_restart_ms"
            case agentToOnlineMs = "agent_to_online_ms"
            case idleSeconds = "idle_seconds"
            case hubRSSMiB = "hub_rss_mib"
            case agentRSSMiB = "agent_rss_mib"
        }
    }

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard idleSeconds >= 0 else { throw ValidationError("--idle-seconds must not be negative") }
    }

    func run() async throws {
        let http = HTTPClient.shared
        var firstStarts: [Double] = []
        var restarts: [Double] = []
        var enrollments: [Double] = []
        var memory: (hub: Double, agent: Double) = (0, 0)
        for run in 1...runs {
            let keepRunning = run == runs
            let sample = try await measureOnce(http: http, idle: keepRunning ? idleSeconds : nil)
            firstStarts.append(sample.firstStart)
            restarts.append(sample.restart)
            enrollments.append(sample.enrollment)
            if let rss = sample.rss { memory = rss }
            if !json {
                Console.write(
                    String(
                        format: "run %d: hub first start %.0f ms, restart %.0f ms, agent online %.0f ms", run,
                        sample.firstStart, sample.restart, sample.enrollment))
            }
        }
        let report = Report(
            runs: runs, hubFirstStartMs: BenchSupport.median(firstStarts), hubRestartMs: BenchSupport.median(restarts),
            agentToOnlineMs: BenchSupport.median(enrollments), idleSeconds: idleSeconds, hubRSSMiB: memory.hub, agentRSSMiB: memory.agent)
        if json {
            try BenchSupport.printJSON(report)
        } else {
            Console.write(
                String(
                    format: """
                        medians over %d runs: hub first start %.0f ms, hub restart %.0f ms, agent start → online %.0f ms
                        after %d s idle: hub RSS %.1f MiB, agent RSS %.1f MiB
                        """, runs, report.hubFirstStartMs, report.hubRestartMs, report.agentToOnlineMs, idleSeconds,
                    report.hubRSSMiB, report.agentRSSMiB))
        }
    }

    private struct Sample {
        var firstStart: Double
        var restart: Double
        var enrollment: Double
        var rss: (hub: Double, agent: Double)?
    }

    private func measureOnce(http: HTTPClient, idle: Int?) async throws -> Sample {
        let directory = NSTemporaryDirectory() + "steward-bench-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try BenchSupport.freePort()
        let hubURL = "http://127.0.0.1:\(port)"
        let ownerToken = SecretToken.generate(.apiToken)
        let hubArguments = ["hub", "--data-dir", directory + "/hub", "--listen", "127.0.0.1:\(port)", "--log-format", "json"]
        let environment = ["STEWARD_BOOTSTRAP_TOKEN": ownerToken, "LOG_LEVEL": "warning"]

        var hub = try BenchSupport.launch(hubArguments, environment: environment)
        let firstStart = try await BenchSupport.timeUntil { await BenchSupport.healthy(hubURL, http: http) }
        BenchSupport.stop(hub)
        hub = try BenchSupport.launch(hubArguments, environment: environment)
        let restart = try await BenchSupport.timeUntil { await BenchSupport.healthy(hubURL, http: http) }
        defer { BenchSupport.stop(hub) }

        let client = OperatorClient(baseURL: hubURL, apiToken: ownerToken, httpClient: http)
        let created: Wire.RegistrationToken.Created = try await client.post(
            "/api/v1/registration-tokens", body: Wire.RegistrationToken.CreateRequest())
        let agent = try BenchSupport.launch(
            ["agent", "--hub", hubURL, "--token", created.token, "--state-dir", directory + "/agent", "--log-format", "json"],
            environment: ["LOG_LEVEL": "warning"])
        defer { BenchSupport.stop(agent) }
        let enrollment = try await BenchSupport.timeUntil {
            let servers: Wire.ItemList<Wire.Server.Info>? = try? await client.get("/api/v1/servers")
            return servers?.items.first?.status == .online
        }
        var rss: (Double, Double)?
        if let idle {
            if !json { Console.write("idling \(idle) s to read resident memory…") }
            try await Task.sleep(for: .seconds(idle))
            rss = (BenchSupport.residentMiB(hub.processIdentifier), BenchSupport.residentMiB(agent.processIdentifier))
        }
        return Sample(firstStart: firstStart, restart: restart, enrollment: enrollment, rss: rss)
    }
}
