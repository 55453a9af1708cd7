import Foundation
import NIOCore
import NIOHTTP1
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Signed jobs from API call to result: a real hub process and a real agent process running real scripts.
@Suite(.serialized)
struct JobsEndToEndTests {
    /// A hub with the probe catalog and fast retries, and one enrolled agent.
    static func withFleet(
        _ database: TestDatabase, agentArguments: [String] = [], hubArguments: [String] = [], heartbeatInterval: Int = 1,
        _ body: (HubAPI, String, TemporaryDirectory, StewardProcess, StewardProcess) async throws -> Void
    ) async throws {
        try await database.withFreshLocation { (location: DatabaseLocation) -> Void in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            var arguments =
                [
                    "hub", "--data-dir", directory.path + "/hub", "--listen", "127.0.0.1:0", "--heartbeat-interval",
                    String(heartbeatInterval),
                    "--no-builtin-catalog", "--catalog", Fixtures.jobsCatalog, "--backoff-scale", "0.05",
                ] + hubArguments
            if case .postgresql(url: let url) = location { arguments += ["--database-url", url] }
            let hub = try StewardProcess(
                arguments, environment: ["STEWARD_BOOTSTRAP_TOKEN": FleetEndToEndTests.ownerToken, "LOG_LEVEL": "debug"],
                logPath: directory.path + "/hub.log")
            let api = try await HubAPI.connect(to: hub)
            let token = try await api.createToken(maxUses: 1)
            let agent = try StewardProcess(
                ["agent", "--hub", api.baseURL, "--token", token, "--state-dir", directory.path + "/agent"] + agentArguments,
                environment: ["LOG_LEVEL": "debug"], logPath: directory.path + "/agent.log")
            try await eventually("the agent is online") { try await api.servers().first?.status == .online }
            let serverID = try #require(try await api.servers().first?.id)
            do {
                try await body(api, serverID, directory, hub, agent)
            } catch {
                await agent.stop()
                await hub.stop()
                // What the processes said is the first thing anyone debugging this will want.
                print("--- agent log (last 40 lines) ---\n" + agent.output.split(separator: "\n").suffix(40).joined(separator: "\n"))
                print("--- hub log (last 40 lines) ---\n" + hub.output.split(separator: "\n").suffix(40).joined(separator: "\n"))
                throw error
            }
            await agent.stop()
            await hub.stop()
        }
    }

    @Test("an install runs on the agent, its log streams with the password masked, and it succeeds", arguments: TestDatabase.available)
    func install(database: TestDatabase) async throws {
        try await Self.withFleet(database) { api, serverID, directory, hub, agent in
            let marker = directory.path + "/marker"
            let start = ContinuousClock.now
            let job = try await api.install("probe", server: serverID, inputs: ["marker": .text(marker), "secret": "hunter2-secret"])
            #expect(job.status == .queued)
            #expect(job.inputs["SECRET"] == "****")
            let done = try await api.waitForJob(job.id) { $0.status.isFinal }
            let latency = ContinuousClock.now - start
            #expect(done.status == .succeeded, "\(done)")
            #expect(done.exitCode == 0)
            #expect(done.attempt == 1)
            #expect(done.outputs == ["marker_path": marker])
            #expect(try String(contentsOfFile: marker, encoding: .utf8) == "run\n")
            // Queueing wakes the agent's held long poll (30 s if it did not); alone this takes well under a
            // second, beside the whole suite on two cores it once took 8 s, hence wall-time room.
            #expect(latency < .seconds(20), "queued → succeeded took \(latency)")

            let log = try await api.text("/api/v1/jobs/\(job.id)/logs")
            #expect(log == "installing with secret ****\nto stderr\n")
            #expect(try await api.text("/api/v1/jobs/\(job.id)/logs?offset=28") == "to stderr\n")
            #expect(try await api.text("/api/v1/jobs/\(job.id)/logs?tail=10") == "to stderr\n")

            // The password is nowhere: not in the API, the audit log, or either process's log.
            let everything = [
                try await api.text("/api/v1/jobs/\(job.id)"), try await api.text("/api/v1/jobs"), try await api.text("/api/v1/audit"),
                log, hub.output, agent.output,
            ]
            for text in everything { #expect(!text.contains("hunter2-secret")) }
            #expect(try await api.text("/api/v1/audit").contains("job.install"))
        }
    }

    @Test("the exit-code contract: 1 fails, 3 needs attention, 2 retries with backoff and ends dead")
    func exitCodes() async throws {
        try await Self.withFleet(.sqlite) { api, serverID, directory, _, _ in
            for (code, status, attempts) in [(1, Wire.Job.Status.failed, 1), (3, .needsAttention, 1), (2, .dead, 3)] {
                let marker = directory.path + "/marker-\(code)"
                let job = try await api.install(
                    "probe", server: serverID, inputs: ["marker": .text(marker), "exit_code": .integer(Int64(code))])
                let done = try await api.waitForJob(job.id) { $0.status.isFinal }
                #expect(done.status == status, "exit \(code)")
                #expect(done.exitCode == code)
                #expect(done.attempt == attempts)
                let runs = try String(contentsOfFile: marker, encoding: .utf8).split(separator: "\n").count
                #expect(runs == attempts, "exit \(code) ran \(runs) times")
            }
        }
    }

    @Test("an agent killed mid-job loses its lease; the job is retried and succeeds when the agent is back")
    func lostLease() async throws {
        try await Self.withFleet(.sqlite) { api, serverID, directory, _, agent in
            let marker = directory.path + "/marker-lease"
            let job = try await api.install(
                "probe", server: serverID, inputs: ["marker": .text(marker), "sleep_first_run": .integer(7301)])
            try await eventually("the first attempt runs") {
                (try? String(contentsOfFile: marker, encoding: .utf8)) == "run\n"
            }
            agent.signal(SIGKILL)
            _ = try await agent.waitForExit()
            let lost = try await api.waitForJob(job.id) { $0.status == .retrying }
            #expect(lost.attempt == 1)
            #expect(lost.error?.contains("lost") == true)

            let restarted = try StewardProcess(
                ["agent", "--state-dir", directory.path + "/agent"], environment: ["LOG_LEVEL": "debug"],
                logPath: directory.path + "/agent-again.log")
            let done = try await api.waitForJob(job.id) { $0.status.isFinal }
            #expect(done.status == .succeeded)
            #expect(done.attempt == 2)
            #expect(try String(contentsOfFile: marker, encoding: .utf8) == "run\nrun\n")
            await restarted.stop()
            // The first attempt's script was orphaned by the kill; end it.
            for pid in ScriptProcesses.matching("sleep 7301") { kill(pid, SIGKILL) }
        }
    }

    @Test(
        "an agent killed mid-job and started again: its attempt is lost at once, not after its lease; the script it left is stopped; the retry succeeds",
        arguments: TestDatabase.available)
    func restartedAgent(database: TestDatabase) async throws {
        // Heartbeats every 20 s make the lease 65 s: anything that happens within seconds is the restart's doing.
        try await Self.withFleet(database, heartbeatInterval: 20) { api, serverID, directory, _, agent in
            let marker = directory.path + "/marker-restart"
            let job = try await api.install(
                "probe", server: serverID, inputs: ["marker": .text(marker), "sleep_first_run": .integer(7321)])
            try await eventually("the first attempt runs") { (try? String(contentsOfFile: marker, encoding: .utf8)) == "run\n" }
            agent.signal(SIGKILL)
            _ = try await agent.waitForExit()
            #expect(!ScriptProcesses.matching("sleep 7321").isEmpty, "the script outlives the agent that was killed")
            #expect(try await api.job(job.id).status == .running)

            let started = ContinuousClock.now
            let restarted = try StewardProcess(
                ["agent", "--state-dir", directory.path + "/agent"], environment: ["LOG_LEVEL": "debug"],
                logPath: directory.path + "/agent-again.log")
            let done = try await api.waitForJob(job.id) { $0.status.isFinal }
            let took = ContinuousClock.now - started
            #expect(done.status == .succeeded, "\(done)")
            #expect(done.attempt == 2)
            #expect(took < .seconds(20), "the retry came \(took) after the restart; the lease alone would take 65 s")
            #expect(ScriptProcesses.matching("sleep 7321").isEmpty, "the restarted agent stopped what its previous life left running")
            #expect(try String(contentsOfFile: marker, encoding: .utf8) == "run\nrun\n")
            #expect(restarted.output.contains("stopping a script left running by an earlier run of this agent"))
            await restarted.stop()
            for pid in ScriptProcesses.matching("sleep 7321") { kill(pid, SIGKILL) }
        }
    }

    @Test(
        "an agent killed while its long poll waits and started again: the next job goes to the new run, at its first attempt",
        arguments: TestDatabase.available)
    func restartedWhilePolling(database: TestDatabase) async throws {
        // A lease of 65 s: a job handed to the dead run's poll would come back only after it.
        try await Self.withFleet(database, heartbeatInterval: 20) { api, serverID, directory, hub, agent in
            // Not just "online", which a server is from its enrollment on: killed before it stored
            // its credentials, the agent could not start again (CI caught exactly that). Its first
            // heartbeat comes after they are stored, and its long poll after that.
            try await eventually("the agent's first heartbeat") { agent.output.contains("the hub took this run's first heartbeat") }
            try await eventually("the agent's long poll") { hub.output.contains("hb.request.path=/api/v1/agent/jobs/next") }
            agent.signal(SIGKILL)
            _ = try await agent.waitForExit()
            let restarted = try StewardProcess(
                ["agent", "--state-dir", directory.path + "/agent"], environment: ["LOG_LEVEL": "debug"],
                logPath: directory.path + "/agent-again.log")
            do {
                try await eventually("the new run said hello") {
                    restarted.output.contains("the hub took this run's first heartbeat")
                }
            } catch {
                await restarted.stop()
                print("--- restarted agent log ---\n" + restarted.output)
                throw error
            }
            let marker = directory.path + "/marker-poll"
            let started = ContinuousClock.now
            let job = try await api.install("probe", server: serverID, inputs: ["marker": .text(marker)])
            let done = try await api.waitForJob(job.id) { $0.status.isFinal }
            let took = ContinuousClock.now - started
            #expect(done.status == .succeeded, "\(done)")
            #expect(done.attempt == 1, "the first attempt went to the killed run's poll: \(done.error ?? "")")
            #expect(took < .seconds(20), "the job took \(took); a lost claim waits out the 65 s lease")
            await restarted.stop()
        }
    }

    @Test("the CLI installs with --follow, lists jobs, shows one and prints its log")
    func commandLine() async throws {
        try await Self.withFleet(.sqlite) { api, serverID, directory, _, _ in
            let environment = ["STEWARD_HUB": api.baseURL, "STEWARD_API_TOKEN": FleetEndToEndTests.ownerToken]
            func steward(_ arguments: [String]) async throws -> (status: Int32, output: String) {
                let process = try StewardProcess(arguments, environment: environment, logPath: directory.path + "/cli-\(UUID()).log")
                return (try await process.waitForExit(timeout: .seconds(30)), process.output)
            }
            let marker = directory.path + "/marker-cli"
            let install = try await steward(["install", "probe", "--server", serverID, "--set", "marker=\(marker)", "--follow"])
            #expect(install.status == 0, "\(install.output)")
            #expect(install.output.contains("installing with secret ****"))
            #expect(install.output.contains("succeeded after 1 attempt(s), exit code 0"))
            let jobID = try #require(install.output.split(separator: " ").dropFirst(2).first.map { String($0.dropLast()) })

            let failing = try await steward([
                "install", "probe", "--server", serverID, "--set", "marker=\(marker)", "--set", "exit_code=1", "--follow",
            ])
            #expect(failing.status == 1)
            #expect(failing.output.contains("failed after 1 attempt(s), exit code 1"))

            let list = try await steward(["jobs", "--status", "succeeded"])
            #expect(list.output.contains(jobID) && list.output.contains("probe"))
            let show = try await steward(["job", "show", jobID])
            #expect(show.output.contains("output       marker_path=\(marker)"))
            #expect(show.output.contains("input        SECRET=****"))
            let logs = try await steward(["logs", jobID])
            #expect(logs.output == "installing with secret ****\nto stderr\n")
            let invalid = try await steward(["install", "probe", "--server", serverID])
            #expect(invalid.status == 1)
            #expect(invalid.output.contains("marker: is required"))
        }
    }

    @Test("bad install requests: every field error, unknown servers, and servers whose OS does not fit")
    func badRequests() async throws {
        try await Self.withFleet(.sqlite) { api, serverID, _, _, _ in
            let missing = try await api.request(.POST, "/api/v1/apps/probe/install", body: Data(#"{"server_id": "\#(serverID)"}"#.utf8))
            #expect(missing.status.code == 422)
            #expect(String(decoding: missing.body, as: UTF8.self).contains("marker"))
            let nobody = try await api.request(
                .POST, "/api/v1/apps/probe/install", body: Data(#"{"server_id": "nobody", "inputs": {"marker": "/tmp/x"}}"#.utf8))
            #expect(nobody.status.code == 422)
            let future = try await api.request(
                .POST, "/api/v1/apps/probe-future/install", body: Data(#"{"server_id": "\#(serverID)"}"#.utf8))
            #expect(future.status == .conflict)
            #expect(String(decoding: future.body, as: UTF8.self).contains("needs 99 or later"))
            #expect(try await api.request(.GET, "/api/v1/jobs?status=bogus").status == .badRequest)
            #expect(try await api.request(.GET, "/api/v1/jobs/nope").status == .notFound)
        }
    }
}

extension HubAPI {
    func install(_ app: String, server: String, inputs: [String: InputValue]) async throws -> Wire.Job.Info {
        let body = try Wire.makeEncoder().encode(Wire.Job.AppRequest(serverID: server, inputs: inputs))
        let answer = try await request(.POST, "/api/v1/apps/\(app)/install", body: body)
        guard answer.status == .accepted else {
            throw TestFailure("install answered \(answer.status): \(String(decoding: answer.body, as: UTF8.self))")
        }
        return try Wire.makeDecoder().decode(Wire.Job.Info.self, from: answer.body)
    }

    func waitForJob(_ id: String, until condition: @escaping (Wire.Job.Info) -> Bool) async throws -> Wire.Job.Info {
        var latest: Wire.Job.Info?
        try await eventually("job \(id) finishes", timeout: .seconds(30)) {
            let answer = try await request(.GET, "/api/v1/jobs/\(id)")
            latest = try Wire.makeDecoder().decode(Wire.Job.Info.self, from: answer.body)
            return latest.map(condition) ?? false
        }
        return latest!
    }

    func text(_ path: String) async throws -> String {
        String(decoding: try await request(.GET, path).body, as: UTF8.self)
    }
}

/// Processes of scripts (such as one that outlived a killed agent), found by their exact command
/// line. The tests sleep for odd lengths (`sleep 7301`) so that nothing else on the machine matches.
enum ScriptProcesses {
    static func matching(_ command: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            let line = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
            return line.trimmingCharacters(in: .whitespaces) == command ? pid : nil
        }
    }
}
