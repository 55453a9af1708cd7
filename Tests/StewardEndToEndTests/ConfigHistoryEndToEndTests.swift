import Foundation
import NIOHTTP1
import StewardCore
import StewardTestSupport
import Testing

/// Config history through a real hub and a real agent: versions of what env.set wrote, a masked
/// diff, a restore that brings the bytes back (mode kept), drift found after a hand edit, and an
/// export that git accepts.
@Suite(.serialized)
struct ConfigHistoryEndToEndTests {
    static func versions(_ api: HubAPI, _ serverID: String, path: String) async throws -> [[String: Any]] {
        let query = path.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? path
        let answer = try await api.request(.GET, "/api/v1/servers/\(serverID)/config?path=\(query)")
        #expect(answer.status == .ok, "\(String(decoding: answer.body, as: UTF8.self))")
        let object = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
        return object?["items"] as? [[String: Any]] ?? []
    }

    @Test(
        "env.set twice → two versions, a masked diff; restoring the first brings the file back; a hand edit is drift; the export passes git fsck"
    )
    func lifecycle() async throws {
        try await StepJobsEndToEndTests.withPolicyFleet { api, serverID, root, hub, agent in
            let path = root + "/app/.env"
            try FileManager.default.createDirectory(atPath: root + "/app", withIntermediateDirectories: true)
            for (password, port) in [("first-Pa55-value", "8080"), ("second-Pa55-value", "9090")] {
                let queued = try await StepJobsEndToEndTests.steps(
                    api, server: serverID, [["type": "env.set", "path": path, "set": ["DB_PASSWORD": password, "PORT": port]]])
                let job = try #require(queued.job, "\(queued.body)")
                let done = try await api.waitForJob(job.id) { $0.status.isFinal }
                #expect(done.status == .succeeded, "\(done)")
                #expect(done.stepResults.first?.files?.first?.content == nil, "the job keeps no copy of the file")
            }
            let versions = try await Self.versions(api, serverID, path: path)
            try #require(versions.count == 2)
            for field in ["id", "path", "sha256", "size", "job_id", "author", "created_at"] {
                #expect(versions.allSatisfy { $0[field] != nil }, "\(field) missing: \(versions)")
            }
            #expect(versions.map { $0["author"] as? String } == ["admin@localhost", "admin@localhost"], "the bootstrap owner wrote both")
            let (newest, first) = (versions[0]["id"] as? String ?? "", versions[1]["id"] as? String ?? "")
            let firstContent = "DB_PASSWORD=first-Pa55-value\nPORT=8080\n"
            #expect(versions[1]["size"] as? Int == firstContent.utf8.count)

            let diff = try await api.request(.GET, "/api/v1/servers/\(serverID)/config/diff?from=\(first)&to=\(newest)")
            let diffText = String(decoding: diff.body, as: UTF8.self)
            #expect(diff.status == .ok && diffText.contains("-PORT=8080") && diffText.contains("+PORT=9090"), "\(diffText)")
            #expect(diffText.contains("-DB_PASSWORD=****~") && !diffText.contains("Pa55"), "\(diffText)")

            let restorePath = "/api/v1/servers/\(serverID)/config/versions/\(first)/restore"
            #expect(try await api.request(.POST, restorePath, body: Data(#"{"confirm": "/wrong"}"#.utf8)).status == .unprocessableEntity)
            let confirm = try JSONSerialization.data(withJSONObject: ["confirm": path])
            let restore = try await api.request(.POST, restorePath, body: confirm)
            #expect(restore.status == .accepted, "\(String(decoding: restore.body, as: UTF8.self))")
            let restoreJob = try Wire.makeDecoder().decode(Wire.Job.Info.self, from: restore.body)
            #expect(try await api.waitForJob(restoreJob.id) { $0.status.isFinal }.status == .succeeded)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == firstContent)
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "env.set made it 0600 and a restore keeps that")
            let afterRestore = try await Self.versions(api, serverID, path: path)
            #expect(afterRestore.count == 3 && afterRestore[0]["sha256"] as? String == versions[1]["sha256"] as? String)

            // Someone edits the file by hand; the drift check finds it.
            try "DB_PASSWORD=first-Pa55-value\nPORT=7070\n".write(toFile: path, atomically: false, encoding: .utf8)
            let check = try await api.request(.POST, "/api/v1/servers/\(serverID)/config/check")
            #expect(check.status == .accepted, "\(String(decoding: check.body, as: UTF8.self))")
            let checkJob = try Wire.makeDecoder().decode(Wire.Job.Info.self, from: check.body)
            #expect(try await api.waitForJob(checkJob.id) { $0.status.isFinal }.status == .succeeded)
            let drifted = try await Self.versions(api, serverID, path: path)
            #expect(drifted.first?["source"] as? String == "drift" && drifted.first?["author"] as? String == "outside Steward")
            let events = try await api.text("/api/v1/fleet-events?kind=config.drift")
            #expect(events.contains("-PORT=8080") && events.contains("+PORT=7070") && !events.contains("Pa55"), "\(events)")

            // The export: a tar of a bare repository, one commit per version, masked values only.
            let export = try await api.request(.GET, "/api/v1/servers/\(serverID)/config/export")
            #expect(export.status == .ok)
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            try export.body.write(to: URL(fileURLWithPath: directory.path + "/config.tar"))
            #expect(try Self.run(["tar", "-xf", "config.tar"], in: directory.path).status == 0)
            let fsck = try Self.run(["git", "-C", "config.git", "fsck", "--strict"], in: directory.path)
            #expect(fsck.status == 0, "\(fsck.output)")
            let log = try Self.run(["git", "-C", "config.git", "log", "--format=%an %s"], in: directory.path)
            #expect(log.output.split(separator: "\n").count == 4, "\(log.output)")
            #expect(log.output.hasPrefix("outside Steward drift \(path)"), "\(log.output)")
            let patches = try Self.run(["git", "-C", "config.git", "log", "-p"], in: directory.path).output
            #expect(!patches.contains("Pa55") && !hub.output.contains("Pa55") && !agent.output.contains("Pa55"))
        }
    }

    @Test("the CLI lists files and versions, diffs, restores with --follow, and exports a repository git reads")
    func commandLine() async throws {
        try await StepJobsEndToEndTests.withPolicyFleet { api, serverID, root, _, _ in
            let path = root + "/cli.conf"
            for content in ["mode=one\n", "mode=two\n"] {
                let queued = try await StepJobsEndToEndTests.steps(
                    api, server: serverID, [["type": "file.write", "path": path, "content": Data(content.utf8).base64EncodedString()]])
                _ = try await api.waitForJob(try #require(queued.job).id) { $0.status.isFinal }
            }
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let environment = ["STEWARD_HUB": api.baseURL, "STEWARD_API_TOKEN": FleetEndToEndTests.ownerToken]
            func steward(_ arguments: [String]) async throws -> (status: Int32, output: String) {
                let process = try StewardProcess(arguments, environment: environment, logPath: directory.path + "/cli-\(UUID()).log")
                return (try await process.waitForExit(timeout: .seconds(30)), process.output)
            }
            let files = try await steward(["config", "history", "--server", serverID])
            #expect(files.status == 0 && files.output.contains(path), "\(files.output)")
            let versions = try await steward(["config", "history", "--server", serverID, "--path", path, "--json"])
            let list = try Wire.makeDecoder().decode(Wire.ItemList<Wire.ConfigHistory.Version>.self, from: Data(versions.output.utf8))
            try #require(list.items.count == 2)
            let diff = try await steward(["config", "diff", "--server", serverID, list.items[1].id, list.items[0].id])
            #expect(diff.output.contains("-mode=one\n+mode=two"), "\(diff.output)")
            let restore = try await steward(
                ["config", "restore", "--server", serverID, list.items[1].id, "--confirm", path, "--follow"])
            #expect(restore.status == 0, "\(restore.output)")
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "mode=one\n")
            let refused = try await steward(["config", "restore", "--server", serverID, list.items[1].id, "--confirm", "/nope"])
            #expect(refused.status != 0 && refused.output.contains("to restore it"), "\(refused.output)")
            let export = try await steward(["config", "export", "--server", serverID, "-o", directory.path + "/history.tar"])
            #expect(export.status == 0, "\(export.output)")
            #expect(try Self.run(["tar", "-xf", "history.tar"], in: directory.path).status == 0)
            #expect(try Self.run(["git", "-C", "config.git", "fsck", "--strict"], in: directory.path).status == 0)
            let log = try Self.run(["git", "-C", "config.git", "log", "--oneline"], in: directory.path)
            #expect(log.output.split(separator: "\n").count == 3, "\(log.output)")
        }
    }

    static func run(_ arguments: [String], in directory: String) throws -> ProgramRun {
        try ProgramRun(arguments, in: directory, environment: ProgramRun.toolEnvironment(home: directory))
    }
}
