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

/// Watching and steering jobs: the event stream, following a log live, cancel, retry, and a hub that
/// dies while its agent runs a job.
@Suite(.serialized)
struct JobControlEndToEndTests {
    @Test("events and a followed log tell a job's whole story, live and without secrets", arguments: TestDatabase.available)
    func eventsAndFollow(database: TestDatabase) async throws {
        try await JobsEndToEndTests.withFleet(database) { api, serverID, directory, _, _ in
            var events = try await EventStream(api, "/api/v1/events?kind=job.queued,job.started,job.log,job.finished")
            let job = try await api.install(
                "probe", server: serverID,
                inputs: ["marker": .text(directory.path + "/marker"), "sleep_first_run": .integer(1), "api_key": "k3y-s3cret-value"])
            var follow = try await EventStream(api, "/api/v1/jobs/\(job.id)/logs?follow=1")

            let story = try await events.collect { $0.event == "job.finished" }
            let kinds = story.map { $0.event ?? "" }
            #expect(kinds.first == "job.queued")
            #expect(kinds.contains("job.started") && kinds.contains("job.log"))
            #expect(kinds.firstIndex(of: "job.started")! < kinds.firstIndex(of: "job.log")!)
            let finished = try Wire.makeDecoder().decode(Wire.Event.self, from: Data(story.last!.data.utf8))
            #expect(finished.jobID == job.id && finished.status == "succeeded" && finished.exitCode == 0)

            let followed = try await follow.collect { $0.event == "end" }
            let text = followed.filter { $0.event == "log" }.map(\.data).joined()
            let stored = try await api.text("/api/v1/jobs/\(job.id)/logs")
            #expect(text == stored)
            #expect(stored.contains("with api key ****"))
            #expect(followed.last { $0.event == "log" }?.id == String(stored.utf8.count))
            let end = try Wire.makeDecoder().decode(Wire.Job.Info.self, from: Data(followed.last!.data.utf8))
            #expect(end.status == .succeeded)
            for message in story + followed { #expect(!message.data.contains("k3y-s3cret-value")) }

            // Resuming from an offset (a reconnecting EventSource) sends only the rest, then the end.
            var resumed = try await EventStream(api, "/api/v1/jobs/\(job.id)/logs?follow=1", lastEventID: "28")
            let rest = try await resumed.collect { $0.event == "end" }
            #expect(rest.filter { $0.event == "log" }.map(\.data).joined() == String(stored.dropFirst(28)))
            #expect(try await api.request(.GET, "/api/v1/events?kind=job.bogus").status == .badRequest)
        }
    }

    @Test("cancelling a queued job keeps it from running; cancelling a running one stops its script")
    func cancel() async throws {
        try await JobsEndToEndTests.withFleet(.sqlite) { api, serverID, directory, _, agent in
            let first = directory.path + "/marker-running"
            let second = directory.path + "/marker-queued"
            let running = try await api.install(
                "probe", server: serverID, inputs: ["marker": .text(first), "sleep_first_run": .integer(7302)])
            try await eventually("the first job runs") { (try? String(contentsOfFile: first, encoding: .utf8)) == "run\n" }
            // One job at a time per server: this one waits behind the first.
            let queued = try await api.install("probe", server: serverID, inputs: ["marker": .text(second)])

            let cancelledQueued = try await api.post("/api/v1/jobs/\(queued.id)/cancel")
            #expect(cancelledQueued.status == .ok)
            #expect(try await api.job(queued.id).status == .cancelled)
            #expect(try await api.post("/api/v1/jobs/\(queued.id)/cancel").status == .conflict)

            #expect(try await api.post("/api/v1/jobs/\(running.id)/cancel").status == .ok)
            try await eventually("the agent stops the script") { ScriptProcesses.matching("sleep 7302").isEmpty }
            let done = try await api.job(running.id)
            #expect(done.status == .cancelled)
            #expect(done.error?.contains("cancelled by") == true)
            #expect(agent.output.contains("stopping the script"))
            // The agent is free again, and the cancelled queued job never ran.
            let next = try await api.install("probe", server: serverID, inputs: ["marker": .text(directory.path + "/marker-next")])
            #expect(try await api.waitForJob(next.id) { $0.status.isFinal }.status == .succeeded)
            #expect(!FileManager.default.fileExists(atPath: second))
            let audit = try await api.text("/api/v1/audit")
            #expect(audit.contains("job.cancel"))
        }
    }

    @Test("a retry re-queues a failed job and asks again for the passwords it erased")
    func retry() async throws {
        try await JobsEndToEndTests.withFleet(.sqlite) { api, serverID, directory, _, _ in
            let marker = directory.path + "/marker-retry"
            let job = try await api.install(
                "probe", server: serverID, inputs: ["marker": .text(marker), "exit_code": .integer(1), "api_key": "first-key-value"])
            #expect(try await api.waitForJob(job.id) { $0.status.isFinal }.status == .failed)
            #expect(try await api.post("/api/v1/jobs/\(job.id)/retry").status == .unprocessableEntity)
            let wrong = try await api.post("/api/v1/jobs/\(job.id)/retry", body: #"{"inputs": {"marker": "/elsewhere"}}"#)
            #expect(wrong.status == .unprocessableEntity)
            #expect(String(decoding: wrong.body, as: UTF8.self).contains("only password inputs"))

            let again = try await api.post("/api/v1/jobs/\(job.id)/retry", body: #"{"inputs": {"api_key": "second-key-value"}}"#)
            #expect(again.status == .accepted)
            let done = try await api.waitForJob(job.id) { $0.status.isFinal }
            #expect(done.status == .failed)
            #expect(done.attempt == 2)
            #expect(try String(contentsOfFile: marker, encoding: .utf8) == "run\nrun\n")
            let log = try await api.text("/api/v1/jobs/\(job.id)/logs")
            #expect(log.components(separatedBy: "with api key ****").count == 3)
            #expect(!log.contains("key-value"))
            #expect(try await api.text("/api/v1/audit").contains("job.retry"))
            // A succeeded job has nothing to retry.
            let fine = try await api.install("probe", server: serverID, inputs: ["marker": .text(directory.path + "/marker-fine")])
            _ = try await api.waitForJob(fine.id) { $0.status.isFinal }
            #expect(try await api.post("/api/v1/jobs/\(fine.id)/retry").status == .conflict)
        }
    }

    @Test("an install queues what the app requires first, as a chain; a failed link cancels the rest", arguments: TestDatabase.available)
    func requiresChain(database: TestDatabase) async throws {
        let failFlag = "/tmp/steward-probe-base.fail"
        try await JobsEndToEndTests.withFleet(database) { api, serverID, _, _, _ in
            // The dependency fails first: the app's own job never runs and is cancelled with the reason.
            FileManager.default.createFile(atPath: failFlag, contents: nil)
            defer { try? FileManager.default.removeItem(atPath: failFlag) }
            let blocked = try await api.install("probe-app", server: serverID, inputs: [:])
            let firstBase = try #require(blocked.afterJobID)
            #expect(try await api.waitForJob(firstBase) { $0.status.isFinal }.status == .failed)
            let cancelled = try await api.waitForJob(blocked.id) { $0.status.isFinal }
            #expect(cancelled.status == .cancelled && cancelled.attempt == 0)
            #expect(cancelled.error?.contains(firstBase) == true)

            try FileManager.default.removeItem(atPath: failFlag)
            let job = try await api.install("probe-app", server: serverID, inputs: [:])
            let baseID = try #require(job.afterJobID)
            let base = try await api.waitForJob(baseID) { $0.status.isFinal }
            let app = try await api.waitForJob(job.id) { $0.status.isFinal }
            #expect(base.appID == "probe-base" && base.status == .succeeded)
            #expect(app.status == .succeeded)
            #expect(try #require(base.finishedAt) <= (try #require(app.startedAt)))
            // Installed now: a second install of the app queues no dependency.
            let again = try await api.install("probe-app", server: serverID, inputs: [:])
            #expect(again.afterJobID == nil)
            #expect(try await api.waitForJob(again.id) { $0.status.isFinal }.status == .succeeded)
            #expect(try await api.text("/api/v1/audit").contains("probe-base"))
        }
    }

    @Test("a hub killed mid-job: the agent journals the result and delivers it when the hub is back; nothing runs twice")
    func hubKilledMidJob() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let hubArguments = [
            "hub", "--data-dir", directory.path + "/hub", "--listen", "127.0.0.1:0", "--heartbeat-interval", "1",
            "--no-builtin-catalog", "--catalog", Fixtures.jobsCatalog, "--backoff-scale", "0.05",
        ]
        let hubEnvironment = ["STEWARD_BOOTSTRAP_TOKEN": FleetEndToEndTests.ownerToken]
        var hub = try StewardProcess(hubArguments, environment: hubEnvironment, logPath: directory.path + "/hub.log")
        var api = try await HubAPI.connect(to: hub)
        let token = try await api.createToken(maxUses: 1)
        let agentArguments = ["agent", "--state-dir", directory.path + "/agent", "--max-backoff", "1"]
        var agent = try StewardProcess(
            agentArguments + ["--hub", api.baseURL, "--token", token], logPath: directory.path + "/agent.log")
        try await eventually("the agent is online") { try await api.servers().first?.status == .online }
        let serverID = try #require(try await api.servers().first?.id)

        let marker = directory.path + "/marker-hub"
        let job = try await api.install("probe", server: serverID, inputs: ["marker": .text(marker), "sleep_first_run": .integer(2)])
        try await eventually("the job runs") { (try? String(contentsOfFile: marker, encoding: .utf8)) == "run\n" }
        hub.signal(SIGKILL)
        _ = try await hub.waitForExit()

        // The script ends while no hub runs: its result goes to the journal. The agent is then
        // stopped too, so only the journal on disk can carry the result over.
        let journal = directory.path + "/agent/journal"
        try await eventually("the result is journaled", timeout: .seconds(20)) {
            ((try? FileManager.default.contentsOfDirectory(atPath: journal)) ?? []).contains { $0.hasSuffix(".json") }
        }
        await agent.stop()
        let entry = try #require(try FileManager.default.contentsOfDirectory(atPath: journal).first)
        let journaled = try String(contentsOfFile: journal + "/" + entry, encoding: .utf8)
        #expect(journaled.contains(#""exit_code":0"#))

        // Same port: the agent knows the hub by its URL.
        let port = try #require(api.baseURL.split(separator: ":").last.map(String.init))
        let restartArguments = hubArguments.map { $0 == "127.0.0.1:0" ? "127.0.0.1:\(port)" : $0 }
        hub = try StewardProcess(restartArguments, environment: hubEnvironment, logPath: directory.path + "/hub-again.log")
        api = try await HubAPI.connect(to: hub)
        agent = try StewardProcess(agentArguments, logPath: directory.path + "/agent-again.log")
        let done = try await api.waitForJob(job.id) { $0.status.isFinal }
        #expect(done.status == .succeeded)
        #expect(done.attempt == 1)
        #expect(done.outputs == ["marker_path": marker])
        #expect(try String(contentsOfFile: marker, encoding: .utf8) == "run\n")
        #expect(try await api.text("/api/v1/jobs/\(job.id)/logs").contains("to stderr"))
        try await eventually("the journal is emptied") {
            ((try? FileManager.default.contentsOfDirectory(atPath: journal)) ?? []).isEmpty
        }
        await agent.stop()
        await hub.stop()
    }
}

/// Two hub processes on one PostgreSQL database, an agent on each.
@Suite(.serialized)
struct TwoHubEndToEndTests {
    @Test(
        "a job queued on one hub is dispatched at once to an agent long-polling the other, and its events reach both",
        arguments: TestDatabase.available.filter { $0 == .postgresql })
    func twoHubs(database: TestDatabase) async throws {
        try await database.withFreshLocation { (location: DatabaseLocation) -> Void in
            guard case .postgresql(let url) = location else { return }
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            // Both hubs use the same keys (one data directory here; copies of master.key and signing.key in production).
            func startHub(_ name: String) throws -> StewardProcess {
                try StewardProcess(
                    [
                        "hub", "--data-dir", directory.path + "/hub", "--listen", "127.0.0.1:0", "--heartbeat-interval", "1",
                        "--no-builtin-catalog", "--catalog", Fixtures.jobsCatalog, "--database-url", url,
                    ],
                    environment: ["STEWARD_BOOTSTRAP_TOKEN": FleetEndToEndTests.ownerToken], logPath: directory.path + "/\(name).log")
            }
            let hubA = try startHub("hub-a")
            let apiA = try await HubAPI.connect(to: hubA)
            let hubB = try startHub("hub-b")
            let apiB = try await HubAPI.connect(to: hubB)
            let agentA = try StewardProcess(
                ["agent", "--hub", apiA.baseURL, "--token", try await apiA.createToken(maxUses: 1), "--state-dir", directory.path + "/a"],
                logPath: directory.path + "/agent-a.log")
            let agentB = try StewardProcess(
                ["agent", "--hub", apiB.baseURL, "--token", try await apiB.createToken(maxUses: 1), "--state-dir", directory.path + "/b"],
                logPath: directory.path + "/agent-b.log")
            try await eventually("both agents are online") { try await apiA.servers().filter { $0.status == .online }.count == 2 }
            // A server is listed the moment it enrolls, a moment before its agent has saved its credentials.
            let credentialsPath = directory.path + "/b/credentials.json"
            try await eventually("agent B saved its credentials") { FileManager.default.fileExists(atPath: credentialsPath) }
            let credentialsB = try String(contentsOfFile: credentialsPath, encoding: .utf8)
            let serverB = try #require(try await apiA.servers().first { credentialsB.contains($0.id) }?.id)
            let serverA = try #require(try await apiA.servers().first { $0.id != serverB }?.id)
            // Let both agents settle into their long polls (30 s each): only a notification can wake them now.
            try await Task.sleep(for: .seconds(1))

            var eventsOnB = try await EventStream(apiB, "/api/v1/events?kind=job.queued,job.finished")
            for (api, server, name) in [(apiA, serverB, "a-to-b"), (apiB, serverA, "b-to-a")] {
                let marker = directory.path + "/marker-" + name
                let start = ContinuousClock.now
                let job = try await api.install("probe", server: server, inputs: ["marker": .text(marker)])
                let done = try await api.waitForJob(job.id) { $0.status.isFinal }
                let elapsed = ContinuousClock.now - start
                #expect(done.status == .succeeded, "\(name)")
                // Unwoken, the other hub's agent would sit out its 30 s long poll; 20 s leaves room for a busy machine.
                #expect(elapsed < .seconds(20), "\(name): queued → succeeded took \(elapsed); the other hub's long poll was not woken")
                let seen = try await eventsOnB.collect { $0.event == "job.finished" && $0.data.contains(job.id) }
                #expect(seen.contains { $0.event == "job.queued" && $0.data.contains(job.id) }, "\(name)")
            }
            for process in [agentA, agentB, hubA, hubB] { await process.stop() }
        }
    }
}

extension TwoHubEndToEndTests {
    @Test(
        "an agent given two hubs moves to the other at once when one is killed: a job running then finishes once, none is lost",
        arguments: TestDatabase.available.filter { $0 == .postgresql })
    func failover(database: TestDatabase) async throws {
        try await database.withFreshLocation { (location: DatabaseLocation) -> Void in
            guard case .postgresql(let url) = location else { return }
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            // Fixed ports, so that a hub started again is where the agent knows it.
            let ports = [try freeLoopbackPort(), try freeLoopbackPort()]
            var lives = 0
            func startHub(_ index: Int) async throws -> (StewardProcess, HubAPI) {
                lives += 1
                let hub = try StewardProcess(
                    [
                        "hub", "--data-dir", directory.path + "/hub", "--listen", "127.0.0.1:\(ports[index])", "--heartbeat-interval", "1",
                        "--no-builtin-catalog", "--catalog", Fixtures.jobsCatalog, "--database-url", url,
                    ],
                    environment: ["STEWARD_BOOTSTRAP_TOKEN": FleetEndToEndTests.ownerToken], logPath: directory.path + "/hub-\(lives).log")
                return (hub, try await HubAPI.connect(to: hub))
            }
            var (hubA, apiA) = try await startHub(0)
            let (hubB, apiB) = try await startHub(1)
            let agent = try StewardProcess(
                [
                    "agent", "--hub", apiA.baseURL, "--hub", apiB.baseURL, "--token", try await apiA.createToken(maxUses: 1),
                    "--state-dir", directory.path + "/agent",
                ],
                logPath: directory.path + "/agent.log")
            try await eventually("the agent polls hub A") { agent.output.contains("the hub took this run's first heartbeat") }
            let server = try #require(try await apiA.servers().first?.id)

            // Hub A dies while the agent runs a job it took from A: the job ends once, recorded through B.
            let ledger = directory.path + "/ledger"
            let running = try await apiA.install("chaos", server: server, inputs: ["ledger": .text(ledger), "pause": "3"])
            _ = try await apiB.waitForJob(running.id) { $0.status == .running }
            hubA.signal(SIGKILL)
            _ = try await hubA.waitForExit()
            let finished = try await apiB.waitForJob(running.id) { $0.status.isFinal }
            #expect(finished.status == .succeeded)
            #expect(finished.attempt == 1)
            let runs = try String(contentsOfFile: ledger, encoding: .utf8).split(separator: "\n")
            #expect(runs.filter { $0.hasPrefix("start") }.count == 1, "\(runs)")
            #expect(runs.filter { $0.hasPrefix("end") }.count == 1, "\(runs)")
            #expect(agent.output.contains("hub unreachable; moving to the next"))

            // A back, B killed while the agent waits on B: a job queued on A runs within 5 s of the kill.
            (hubA, apiA) = try await startHub(0)
            try await Task.sleep(for: .seconds(1))
            hubB.signal(SIGKILL)
            _ = try await hubB.waitForExit()
            let killed = ContinuousClock.now
            let marker = directory.path + "/after-failover"
            let probe = try await apiA.install("probe", server: server, inputs: ["marker": .text(marker)])
            let done = try await apiA.waitForJob(probe.id) { $0.status.isFinal }
            let elapsed = ContinuousClock.now - killed
            #expect(done.status == .succeeded)
            // Alone on this machine it takes 0.2 to 0.9 s (docs/OPERATIONS.md). The bound is wall time
            // beside the whole suite on two cores; it still tells a failover from an agent that sat
            // out its 30 s long poll on the dead hub.
            #expect(elapsed < .seconds(15), "the job queued on A after B was killed took \(elapsed)")
            #expect(try await apiA.servers().first?.status == .online)
            for process in [agent, hubA] { await process.stop() }
        }
    }
}

extension TwoHubEndToEndTests {
    @Test("a failover hub that does not know the agent (another database) is passed over, not taken for a revocation")
    func unrelatedFailoverHub() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let port = try freeLoopbackPort()
        func startHub(_ name: String, port: Int) async throws -> (StewardProcess, HubAPI) {
            let hub = try StewardProcess(
                ["hub", "--data-dir", directory.path + "/" + name, "--listen", "127.0.0.1:\(port)", "--heartbeat-interval", "1"],
                environment: ["STEWARD_BOOTSTRAP_TOKEN": FleetEndToEndTests.ownerToken], logPath: directory.path + "/\(name)-\(UUID()).log")
            return (hub, try await HubAPI.connect(to: hub))
        }
        var (own, api) = try await startHub("own", port: port)
        let (other, otherAPI) = try await startHub("other", port: 0)
        let agent = try StewardProcess(
            [
                "agent", "--hub", api.baseURL, "--hub", otherAPI.baseURL, "--token", try await api.createToken(maxUses: 1),
                "--state-dir", directory.path + "/agent",
            ],
            logPath: directory.path + "/agent.log")
        try await eventually("the agent polls its hub") { agent.output.contains("the hub took this run's first heartbeat") }
        own.signal(SIGKILL)
        _ = try await own.waitForExit()
        try await eventually("the agent tried the other hub") { agent.output.contains("does not know this agent") }
        try await Task.sleep(for: .seconds(2))
        #expect(agent.isRunning, "the agent stopped: \(agent.output.suffix(600))")
        (own, api) = try await startHub("own", port: port)
        try await eventually("the agent is back with its own hub") { try await api.servers().first?.status == .online }
        for process in [agent, own, other] { await process.stop() }
    }
}

extension HubAPI {
    func job(_ id: String) async throws -> Wire.Job.Info {
        try Wire.makeDecoder().decode(Wire.Job.Info.self, from: try await request(.GET, "/api/v1/jobs/\(id)").body)
    }

    func post(_ path: String, body: String? = nil) async throws -> (status: HTTPResponseStatus, body: Data) {
        try await request(.POST, path, body: body.map { Data($0.utf8) })
    }
}
