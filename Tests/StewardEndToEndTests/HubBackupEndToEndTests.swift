import Foundation
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// `steward hub backup` of a running hub and `steward hub restore` into a new data directory (and,
/// on PostgreSQL, a new database): the restored hub has the servers, jobs and history, its keys
/// open the secrets and sign jobs, and the agent carries on without enrolling again.
@Suite(.serialized)
struct HubBackupEndToEndTests {
    @Test(
        "backup while the hub runs → restore elsewhere → the same agent carries on, jobs and history intact",
        arguments: TestDatabase.available)
    func roundTrip(database: TestDatabase) async throws {
        try await JobsEndToEndTests.withFleet(database) { api, serverID, directory, hub, agent in
            let first = try await api.install(
                "probe", server: serverID, inputs: ["marker": .text(directory.path + "/before"), "secret": "kept-secret-value"])
            #expect(try await api.waitForJob(first.id) { $0.status.isFinal }.status == .succeeded)
            let hubArguments = hub.process.arguments ?? []
            let databaseURL = hubArguments.firstIndex(of: "--database-url").map { hubArguments[$0 + 1] }
            let backup = directory.path + "/hub.backup"
            func steward(
                _ arguments: [String], input: String? = nil, passphrase: String? = "correct horse battery"
            ) async throws -> (Int32, String) {
                var environment: [String: String] = [:]
                if let passphrase { environment["STEWARD_BACKUP_PASSPHRASE"] = passphrase }
                let process = try StewardProcess(
                    arguments, environment: environment, input: input, logPath: directory.path + "/cli-\(UUID()).log")
                return (try await process.waitForExit(timeout: .seconds(60)), process.output)
            }
            let made = try await steward(
                ["hub", "backup", "--data-dir", directory.path + "/hub", "--out", backup]
                    + (databaseURL.map { ["--database-url", $0] } ?? []))
            #expect(made.0 == 0, "\(made.1)")
            #expect(
                try await steward(["hub", "backup", "--data-dir", directory.path + "/hub", "--out", backup + "2"], passphrase: "short").0
                    != 0)
            let raw = try Data(contentsOf: URL(fileURLWithPath: backup))
            #expect(
                !String(decoding: raw, as: UTF8.self).contains("kept-secret-value")
                    && !String(decoding: raw, as: UTF8.self).contains("probe"))

            await agent.stop()
            await hub.stop()
            try await database.withFreshLocation { (second: DatabaseLocation) -> Void in
                var restoreArguments = ["hub", "restore", "--in", backup, "--data-dir", directory.path + "/restored"]
                var runArguments = hubArguments
                if case .postgresql(let url) = second {
                    restoreArguments += ["--database-url", url]
                    runArguments[runArguments.firstIndex(of: "--database-url")! + 1] = url
                }
                let wrong = try await steward(restoreArguments, passphrase: "not the passphrase at all")
                #expect(wrong.0 != 0 && wrong.1.contains("passphrase is wrong"), "\(wrong.1)")
                // The passphrase on standard input this time.
                let restored = try await steward(restoreArguments, input: "correct horse battery\n", passphrase: nil)
                #expect(restored.0 == 0, "\(restored.1)")
                // The same address, for the agent keeps the hub it enrolled with.
                runArguments[runArguments.firstIndex(of: "--data-dir")! + 1] = directory.path + "/restored"
                let port = api.baseURL.split(separator: ":").last.map(String.init) ?? ""
                runArguments[runArguments.firstIndex(of: "--listen")! + 1] = "127.0.0.1:\(port)"
                let again = try StewardProcess(
                    runArguments, environment: ["LOG_LEVEL": "debug"], logPath: directory.path + "/hub-restored.log")
                let restoredAPI = try await HubAPI.connect(to: again)
                let agentAgain = try StewardProcess(
                    ["agent", "--state-dir", directory.path + "/agent"], environment: ["LOG_LEVEL": "debug"],
                    logPath: directory.path + "/agent-restored.log")
                defer {
                    Task {
                        await agentAgain.stop()
                        await again.stop()
                    }
                }
                try await eventually("the agent is online with the restored hub") {
                    try await restoredAPI.servers().first { $0.id == serverID }?.status == .online
                }
                #expect(try await restoredAPI.servers().count == 1, "no second enrollment")
                let old = try await restoredAPI.waitForJob(first.id) { _ in true }
                #expect(old.status == .succeeded && old.inputs["SECRET"] == "****")
                let next = try await restoredAPI.install("probe", server: serverID, inputs: ["marker": .text(directory.path + "/after")])
                let done = try await restoredAPI.waitForJob(next.id) { $0.status.isFinal }
                #expect(done.status == .succeeded, "the agent accepts jobs signed with the restored key: \(done)")
                #expect(FileManager.default.fileExists(atPath: directory.path + "/after"))
                #expect(agentAgain.output.contains("enrolled") == false)
                await agentAgain.stop()
                await again.stop()
            }
        }
    }
}
