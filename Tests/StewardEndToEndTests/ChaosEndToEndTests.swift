import Foundation
import NIOHTTP1
import StewardAgent
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real hub and three real agents run jobs while the hub and the agents are SIGKILLed at random and
/// started again on the same data. Seeded: `STEWARD_CHAOS_SEED=N` replays a run's schedule.
///
/// What must hold, and is printed: every accepted job ends (and succeeds: none is wedged, none is
/// given up); a script that ran to its end is not run to its end again, except when its agent was
/// killed in the instant between the script's end and the result reaching the agent's journal; no
/// script of a killed agent is still running once that agent has started again.
@Suite(.serialized)
struct ChaosEndToEndTests {
    @Test(
        "chaos: hub and agents SIGKILLed while jobs run; every job ends once, no script outlives its agent",
        arguments: TestDatabase.available)
    func chaos(database: TestDatabase) async throws {
        let seed = ProcessInfo.processInfo.environment["STEWARD_CHAOS_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...(1 << 48))
        print("chaos[\(database)]: seed \(seed) (replay with STEWARD_CHAOS_SEED=\(seed))")
        let report: ChaosRun.Report = try await database.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            // STEWARD_CHAOS_KEEP=1 keeps every process's log for a look after the run.
            defer {
                if ProcessInfo.processInfo.environment["STEWARD_CHAOS_KEEP"] == nil {
                    directory.remove()
                } else {
                    print("chaos: logs in \(directory.path)")
                }
            }
            let run = try await ChaosRun(location: location, directory: directory.path, seed: seed)
            return try await run.run()
        }
        print("chaos[\(database)]: \(report.summary)")
        #expect(report.kills >= 8)
        #expect(report.notSucceeded.isEmpty, "\(report.notSucceeded)")
        #expect(report.lostResults.isEmpty, "scripts that ran to their end and ran to their end again: \(report.lostResults)")
        #expect(report.orphans.isEmpty, "\(report.orphans)")
        #expect(report.leftRunning.isEmpty, "no script runs once everything has stopped: \(report.leftRunning)")
    }
}

/// One chaos run: the processes, the jobs, and the schedule drawn from the seed.
final class ChaosRun {
    static let agentCount = 3
    static let killCount = 10

    struct Job {
        var id: String
        var ledger: String
        var agent: Int
    }

    struct Report: Sendable {
        var summary: String
        var kills: Int
        var notSucceeded: [String]
        var lostResults: [String]
        var orphans: [String]
        var leftRunning: [Int32]
    }

    let directory: String
    let seed: UInt64
    var random: SplitMix64
    let hubArguments: [String]
    var hub: StewardProcess
    var hubLives = 1
    let api: HubAPI
    let token: String
    var agents: [StewardProcess] = []
    var agentLives = Array(repeating: 1, count: agentCount)
    var serverIDs: [String] = []
    var jobs: [Job] = []
    var killTimes: [[Int64]] = Array(repeating: [], count: agentCount)
    var hubKills = 0
    var agentKills = 0
    var orphans: [String] = []

    init(location: DatabaseLocation, directory: String, seed: UInt64) async throws {
        self.directory = directory
        self.seed = seed
        random = SplitMix64(seed: seed)
        var arguments = [
            "hub", "--data-dir", directory + "/hub", "--listen", "127.0.0.1:\(try freeLoopbackPort())", "--heartbeat-interval", "1",
            "--no-builtin-catalog", "--catalog", Fixtures.jobsCatalog, "--backoff-scale", "0.05",
        ]
        if case .postgresql(let url) = location { arguments += ["--database-url", url] }
        hubArguments = arguments
        hub = try Self.startHub(arguments, directory: directory, life: 1)
        api = try await HubAPI.connect(to: hub)
        token = try await api.createToken(maxUses: Self.agentCount)
    }

    static func startHub(_ arguments: [String], directory: String, life: Int) throws -> StewardProcess {
        try StewardProcess(
            arguments, environment: ["STEWARD_BOOTSTRAP_TOKEN": FleetEndToEndTests.ownerToken], logPath: directory + "/hub-\(life).log")
    }

    func stateDirectory(_ index: Int) -> String { directory + "/agent-\(index)" }

    func startAgent(_ index: Int, enroll: Bool = false) throws -> StewardProcess {
        var arguments = ["agent", "--state-dir", stateDirectory(index)]
        if enroll { arguments += ["--hub", api.baseURL, "--token", token] }
        return try StewardProcess(arguments, logPath: directory + "/agent-\(index)-\(agentLives[index]).log")
    }

    func run() async throws -> Report {
        for index in 0..<Self.agentCount {
            agents.append(try startAgent(index, enroll: true))
            let credentials = stateDirectory(index) + "/credentials.json"
            try await eventually("agent \(index) enrolled") { FileManager.default.fileExists(atPath: credentials) }
            let data = try Data(contentsOf: URL(fileURLWithPath: credentials))
            serverIDs.append(try JSONDecoder().decode(AgentCredentials.self, from: data).serverID)
        }
        let api = self.api
        try await eventually("every agent is online") { try await api.servers().filter { $0.status == .online }.count == Self.agentCount }
        try await queueJobs(24)
        for round in 0..<Self.killCount {
            try await Task.sleep(for: .milliseconds(Int.random(in: 800...2500, using: &random)))
            if Int.random(in: 0..<10, using: &random) < 3 { try await killHub() } else { try await killAgent(round: round) }
            if round % 3 == 2 { try await queueJobs(3) }
        }
        let finals = try await waitForEveryJob()
        for agent in agents { await agent.stop() }
        await hub.stop()
        return report(finals)
    }

    /// Queues `count` installs of the chaos app on random servers; one in four sleeps 12 s, so that
    /// a kill finds it running.
    func queueJobs(_ count: Int) async throws {
        for _ in 0..<count {
            let agent = Int.random(in: 0..<Self.agentCount, using: &random)
            let ledger = directory + "/ledger-\(jobs.count)"
            let long = Int.random(in: 0..<4, using: &random) == 0
            let pause = long ? "12" : String(format: "%.2f", Double.random(in: 0.05...0.8, using: &random))
            let job = try await api.install("chaos", server: serverIDs[agent], inputs: ["ledger": .text(ledger), "pause": .text(pause)])
            jobs.append(Job(id: job.id, ledger: ledger, agent: agent))
        }
    }

    func killHub() async throws {
        hubKills += 1
        hub.signal(SIGKILL)
        _ = try await hub.waitForExit()
        try await Task.sleep(for: .milliseconds(Int.random(in: 100...1500, using: &random)))
        hubLives += 1
        hub = try Self.startHub(hubArguments, directory: directory, life: hubLives)
        let api = self.api
        try await eventually("hub life \(hubLives) is healthy") { try await api.request(.GET, "/api/v1/health").status == .ok }
    }

    /// Kills an agent mid-whatever and starts it again; the scripts its previous life ran must be
    /// stopped by the new one.
    func killAgent(round: Int) async throws {
        agentKills += 1
        let index = Int.random(in: 0..<Self.agentCount, using: &random)
        let scripts = ScriptsUnder(stateDirectory(index) + "/work").pids()
        agents[index].signal(SIGKILL)
        _ = try await agents[index].waitForExit()
        killTimes[index].append(Int64(Date().timeIntervalSince1970 * 1000))
        try await Task.sleep(for: .milliseconds(Int.random(in: 50...800, using: &random)))
        agentLives[index] += 1
        agents[index] = try startAgent(index)
        do {
            try await eventually("agent \(index)'s earlier scripts are stopped", timeout: .seconds(15)) {
                scripts.allSatisfy { kill($0, 0) != 0 }
            }
        } catch {
            orphans.append("round \(round): scripts \(scripts.filter { kill($0, 0) == 0 }) of agent \(index) outlived it")
        }
    }

    func waitForEveryJob() async throws -> [String: Wire.Job.Info] {
        var finals: [String: Wire.Job.Info] = [:]
        let deadline = ContinuousClock.now + .seconds(150)
        while finals.count < jobs.count {
            for job in jobs where finals[job.id] == nil {
                let info = try await api.job(job.id)
                if info.status.isFinal { finals[job.id] = info }
            }
            guard ContinuousClock.now < deadline else {
                let open = jobs.filter { finals[$0.id] == nil }.map(\.id)
                print("chaos: seed \(seed): jobs still open after 150 s: \(open)")
                print("--- hub log ---\n" + hub.output.split(separator: "\n").suffix(30).joined(separator: "\n"))
                throw TestFailure("\(open.count) jobs never ended")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        return finals
    }

    /// A run cut off has a start without an end; a run to the end has both. Ending twice is a lost
    /// result, unless the agent died right after the first end, before its journal had the result.
    func report(_ finals: [String: Wire.Job.Info]) -> Report {
        var lost: [String] = []
        var forgivable = 0
        for job in jobs {
            let ledger = (try? String(contentsOfFile: job.ledger, encoding: .utf8)) ?? ""
            let ends = ledger.split(separator: "\n").filter { $0.hasPrefix("end ") }.compactMap { Int64($0.split(separator: " ")[1]) }
            guard ends.count > 1, let first = ends.first else { continue }
            // Two races no agent can close: killed after the script's end but before the result was
            // journaled; or killed while the script was exiting after its last line, and the next
            // life stopped it (its log says so) before it had exited.
            let journalRace = killTimes[job.agent].contains { $0 >= first && $0 <= first + 1000 }
            let stoppedWhileExiting = (1...agentLives[job.agent]).contains { life in
                let log = (try? String(contentsOfFile: directory + "/agent-\(job.agent)-\(life).log", encoding: .utf8)) ?? ""
                return log.split(separator: "\n").contains { $0.contains("stopping a script left running") && $0.contains(job.id) }
            }
            if journalRace || stoppedWhileExiting {
                forgivable += 1
            } else {
                let info = finals[job.id]
                lost.append(
                    "\(job.id) on agent \(job.agent) (attempts \(info?.attempt ?? 0), agent killed at \(killTimes[job.agent])): "
                        + ledger.replacingOccurrences(of: "\n", with: "; "))
            }
        }
        let notSucceeded = jobs.compactMap { finals[$0.id] }.filter { $0.status != .succeeded }
        let attempts = finals.values.reduce(0) { $0 + $1.attempt }
        let summary =
            "seed \(seed): \(hubKills) hub kills, \(agentKills) agent kills; \(jobs.count) jobs, all ended, "
            + "\(jobs.count - notSucceeded.count) succeeded; \(attempts) attempts (\(attempts - jobs.count) retried); "
            + "\(lost.count) results lost; \(forgivable) re-runs after a kill as a script ended; "
            + "\(orphans.count) scripts outlived their agent"
        return Report(
            summary: summary, kills: hubKills + agentKills,
            notSucceeded: notSucceeded.map { "\($0.id): \($0.status.rawValue) \($0.error ?? "")" }, lostResults: lost, orphans: orphans,
            leftRunning: ScriptsUnder(directory).pids())
    }
}

/// The processes whose working directory is below `root`: an agent's scripts run in fresh
/// directories under its state directory.
struct ScriptsUnder {
    let root: String

    init(_ root: String) {
        self.root = root
    }

    func pids() -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = Int32(entry), let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd"),
                cwd.hasPrefix(root + "/")
            else { return nil }
            return pid
        }
    }
}
