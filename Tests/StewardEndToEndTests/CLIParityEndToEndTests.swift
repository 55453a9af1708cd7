import Foundation
import StewardCore
import StewardTestSupport
import Testing

/// The commands that give every API operation a `steward` command: the catalog, step jobs,
/// uninstall, the audit log and the fleet's events, against a real hub and agent.
@Suite(.serialized)
struct CLIParityEndToEndTests {
    @Test("CLI parity: apps list/show/validate, run a steps file, uninstall, audit and events, each with --json")
    func parity() async throws {
        try await StepJobsEndToEndTests.withPolicyFleet { api, serverID, root, _, _ in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let environment = ["STEWARD_HUB": api.baseURL, "STEWARD_API_TOKEN": FleetEndToEndTests.ownerToken]
            func steward(_ arguments: [String]) async throws -> (status: Int32, output: String) {
                let process = try StewardProcess(arguments, environment: environment, logPath: directory.path + "/cli-\(UUID()).log")
                return (try await process.waitForExit(timeout: .seconds(30)), process.output)
            }
            let apps = try await steward(["apps", "--json"])
            #expect(
                try Wire.makeDecoder().decode(Wire.ItemList<Wire.App.Summary>.self, from: Data(apps.output.utf8)).items.contains {
                    $0.id == "probe"
                })
            #expect(try await steward(["apps", "show", "probe"]).output.contains("input        marker (string, required)"))
            let validated = try await steward(["apps", "validate", "probe", "--set", "marker=/tmp/x", "--json"])
            #expect(validated.status == 0 && validated.output.contains("\"generated\""), "\(validated.output)")
            #expect(try await steward(["apps", "validate", "probe"]).status != 0, "marker is required")

            let stepsFile = directory.path + "/steps.json"
            let content = Data("from the cli\n".utf8).base64EncodedString()
            try #"[{"type": "file.write", "path": "\#(root)/cli.txt", "content": "\#(content)"}]"#.write(
                toFile: stepsFile, atomically: true, encoding: .utf8)
            let ran = try await steward(["run", "--server", serverID, "--steps-file", stepsFile, "--follow"])
            #expect(ran.status == 0, "\(ran.output)")
            #expect(try String(contentsOfFile: root + "/cli.txt", encoding: .utf8) == "from the cli\n")

            let marker = root + "/probe-marker"
            #expect(try await steward(["install", "probe", "--server", serverID, "--set", "marker=\(marker)", "--follow"]).status == 0)
            let removed = try await steward(["uninstall", "probe", "--server", serverID, "--follow"])
            #expect(removed.status == 0, "\(removed.output)")
            let audit = try await steward(["audit", "--action", "job.steps", "--json"])
            #expect(try Wire.makeDecoder().decode(Wire.Audit.Page.self, from: Data(audit.output.utf8)).items.count == 1, "\(audit.output)")
            #expect(try await steward(["audit"]).output.contains("job.uninstall"))
            let events = try await steward(["events", "--server", serverID, "--json"])
            #expect(
                events.status == 0
                    && (try? Wire.makeDecoder().decode(Wire.ItemList<Wire.Alerting.FleetEvent>.self, from: Data(events.output.utf8))) != nil
            )
        }
    }
}
