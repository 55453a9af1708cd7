import Foundation
import NIOHTTP1
import StewardCore
import StewardTestSupport
import Testing

/// `POST /api/v1/jobs`: single steps and composite chains through a real hub to a real agent that
/// runs with a policy file.
@Suite(.serialized)
struct StepJobsEndToEndTests {
    static func withPolicyFleet(
        agentArguments: [String] = [], _ body: (HubAPI, String, String, StewardProcess, StewardProcess) async throws -> Void
    ) async throws {
        let files = try TemporaryDirectory()
        defer { files.remove() }
        let policy = files.path + "/policy.yml"
        try """
        files: { roots: [\(files.path)/root] }
        shell:
          - command: /bin/echo
            arguments: ["^[a-z]+$", "^[a-z]+$"]
          - command: /bin/false
            arguments: []
          - command: /bin/sleep
            arguments: ["^[0-9]$"]
          - command: /usr/bin/seq
            arguments: ["^[0-9]+$"]
        """.write(toFile: policy, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: files.path + "/root", withIntermediateDirectories: true)
        try await JobsEndToEndTests.withFleet(.sqlite, agentArguments: ["--policy", policy] + agentArguments) {
            api, serverID, _, hub, agent in
            try await body(api, serverID, files.path + "/root", hub, agent)
        }
    }

    static func steps(
        _ api: HubAPI, server: String, _ steps: [[String: Any]]
    ) async throws -> (status: HTTPResponseStatus, job: Wire.Job.Info?, body: String) {
        let body = try JSONSerialization.data(withJSONObject: ["server_id": server, "steps": steps])
        let answer = try await api.request(.POST, "/api/v1/jobs", body: body)
        let job = answer.status == .accepted ? try Wire.makeDecoder().decode(Wire.Job.Info.self, from: answer.body) : nil
        return (answer.status, job, String(decoding: answer.body, as: UTF8.self))
    }

    @Test("a composite job writes, merges, runs and reads, reports each step, and keeps its secrets out of sight")
    func composite() async throws {
        try await Self.withPolicyFleet { api, serverID, root, hub, agent in
            let secret = "pa55-w0rd-never-shown"
            let queued = try await Self.steps(
                api, server: serverID,
                [
                    [
                        "type": "file.write", "path": root + "/app.conf", "content": Data("port 8080\n".utf8).base64EncodedString(),
                        "mode": "0600",
                    ],
                    ["type": "env.set", "path": root + "/.env", "set": ["DB_PASSWORD": secret, "APP": "shop"]],
                    ["type": "shell", "command": "/bin/echo", "arguments": ["hello", "world"]],
                    ["type": "file.read", "path": root + "/app.conf"],
                    ["type": "env.read", "path": root + "/.env"],
                    ["type": "script", "app": "probe", "role": "install", "inputs": ["marker": root + "/probe", "api_key": secret]],
                ])
            #expect(queued.status == .accepted, "\(queued.body)")
            let job = try #require(queued.job)
            #expect(job.kind == "composite")
            #expect(job.steps[1].set?["DB_PASSWORD"] == "****")
            #expect(job.steps[0].content == "(10 bytes)")
            let done = try await api.waitForJob(job.id) { $0.status.isFinal }
            #expect(done.status == .succeeded, "\(done)")
            try #require(done.stepResults.map(\.exitCode) == [0, 0, 0, 0, 0, 0])
            #expect(done.stepResults[3].content == "port 8080\n")
            #expect(done.stepResults[4].values == ["APP": "shop", "DB_PASSWORD": "****"])
            #expect(try String(contentsOfFile: root + "/.env", encoding: .utf8).contains(secret))
            let log = try await api.text("/api/v1/jobs/\(job.id)/logs")
            #expect(log.contains("[steward] step 3/6: /bin/echo hello world\nhello world\n"))
            #expect(log.contains("[steward] step 2/6: env.set \(root)/.env (APP, DB_PASSWORD; removing )"))
            #expect(log.contains("with api key ****"))
            #expect(job.steps[5].inputs?["api_key"] == "****" && job.steps[5].environment == nil)
            #expect(done.outputs == ["marker_path": root + "/probe"])
            let everything = [
                log, try await api.text("/api/v1/jobs/\(job.id)"), try await api.text("/api/v1/audit"), hub.output, agent.output,
            ]
            for text in everything { #expect(!text.contains(secret)) }
        }
    }

    @Test("a chain stops at its first failing step; a step the policy refuses stops the whole job before anything runs")
    func failuresAndRefusals() async throws {
        try await Self.withPolicyFleet { api, serverID, root, _, _ in
            let content = Data("x".utf8).base64EncodedString()
            let chain = try #require(
                try await Self.steps(
                    api, server: serverID,
                    [
                        ["type": "file.write", "path": root + "/first", "content": content],
                        ["type": "shell", "command": "/bin/false", "arguments": [String]()],
                        ["type": "file.write", "path": root + "/third", "content": content],
                    ]
                ).job)
            let failed = try await api.waitForJob(chain.id) { $0.status.isFinal }
            #expect(failed.status == .failed)
            #expect(failed.exitCode == 1)
            #expect(failed.stepResults.map(\.exitCode) == [0, 1])
            #expect(FileManager.default.fileExists(atPath: root + "/first"))
            #expect(!FileManager.default.fileExists(atPath: root + "/third"))

            // The second step is off the policy: the first must not run either.
            let refused = try #require(
                try await Self.steps(
                    api, server: serverID,
                    [
                        ["type": "file.write", "path": root + "/before-refusal", "content": content],
                        ["type": "shell", "command": "/bin/rm", "arguments": ["-rf", "/tmp/x"]],
                    ]
                ).job)
            let done = try await api.waitForJob(refused.id) { $0.status.isFinal }
            #expect(done.status == .failed)
            #expect(done.error?.contains("step 2 (shell): /bin/rm is not on this agent's command allow-list") == true, "\(done)")
            #expect(!FileManager.default.fileExists(atPath: root + "/before-refusal"))
            // Outside the roots, by path or by symbolic link.
            try FileManager.default.createSymbolicLink(atPath: root + "/out", withDestinationPath: "/tmp")
            for path in ["/etc/steward-evil", root + "/out/steward-evil"] {
                let job = try #require(
                    try await Self.steps(api, server: serverID, [["type": "file.write", "path": path, "content": content]]).job)
                let outcome = try await api.waitForJob(job.id) { $0.status.isFinal }
                #expect(outcome.status == .failed && outcome.error?.contains("refused") == true, "\(path): \(outcome)")
            }
            #expect(!FileManager.default.fileExists(atPath: "/tmp/steward-evil"))

            // Shapes no policy could allow are refused by the hub with every field named.
            let bad = try await Self.steps(
                api, server: serverID,
                [
                    ["type": "file.write", "path": "relative/path", "content": "%%%"],
                    ["type": "shell", "command": "/bin/echo", "arguments": ["a;reboot"]],
                    ["type": "env.set", "path": root + "/.env", "set": ["lower": "x"]],
                ])
            #expect(bad.status == .unprocessableEntity)
            for field in ["steps[0].path", "steps[0].content", "steps[1].arguments[0]", "steps[2].set.lower"] {
                #expect(bad.body.contains(field), "\(field) in \(bad.body)")
            }
            #expect(try await api.post("/api/v1/jobs/\(chain.id)/retry").status == .conflict)
        }
    }

    @Test("a program that writes faster than the hub takes its lines loses none of them")
    func fastOutput() async throws {
        try await Self.withPolicyFleet { api, serverID, _, _, _ in
            // 400,000 short lines in a few milliseconds: far more than the agent buffers at once.
            let count = 400_000
            let job = try #require(
                try await Self.steps(api, server: serverID, [["type": "shell", "command": "/usr/bin/seq", "arguments": [String(count)]]])
                    .job)
            let done = try await api.waitForJob(job.id) { $0.status.isFinal }
            #expect(done.status == .succeeded)
            let log = try await api.text("/api/v1/jobs/\(job.id)/logs")
            let numbers = log.split(separator: "\n").filter { $0.first?.isNumber == true }
            #expect(numbers.count == count)
            #expect(numbers.elementsEqual((1...count).map(String.init)) { $0 == $1 })
            #expect(!log.contains("dropped"))
        }
    }

    @Test("an agent with --concurrency 2 runs two shell jobs side by side, and an install still runs alone")
    func concurrency() async throws {
        try await Self.withPolicyFleet(agentArguments: ["--concurrency", "2"]) { api, serverID, root, _, _ in
            // Sleeps long enough that a loaded machine still claims the second while the first runs.
            let sleep: [[String: Any]] = [["type": "shell", "command": "/bin/sleep", "arguments": ["6"]]]
            let first = try #require(try await Self.steps(api, server: serverID, sleep).job)
            let second = try #require(try await Self.steps(api, server: serverID, sleep).job)
            // Queued behind them: a catalog script, which must not overlap with anything.
            let install = try await api.install("probe", server: serverID, inputs: ["marker": .text(root + "/marker")])
            try await eventually("both sleeps run at once", timeout: .seconds(20)) {
                let statuses = [try await api.job(first.id).status, try await api.job(second.id).status]
                return statuses == [.running, .running]
            }
            #expect(try await api.job(install.id).status == .queued)
            let a = try await api.waitForJob(first.id) { $0.status.isFinal }
            let b = try await api.waitForJob(second.id) { $0.status.isFinal }
            let done = try await api.waitForJob(install.id) { $0.status.isFinal }
            #expect(a.status == .succeeded && b.status == .succeeded && done.status == .succeeded)
            // Side by side by the hub's own record, not by wall time (which a busy machine stretches).
            let (aStart, aEnd) = (try #require(a.startedAt), try #require(a.finishedAt))
            let (bStart, bEnd) = (try #require(b.startedAt), try #require(b.finishedAt))
            #expect(aStart < bEnd && bStart < aEnd, "the sleeps did not overlap")
            let lastSleepEnd = max(aEnd, bEnd)
            #expect(try #require(done.startedAt) >= lastSleepEnd)
        }
    }
}
