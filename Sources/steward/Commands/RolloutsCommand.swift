import ArgumentParser
import Foundation
import StewardCore

/// `steward rollouts …`: the same job on every server a label selector picks, in batches.
struct RolloutsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollouts", abstract: "Run an install, upgrade or steps on servers picked by labels, in batches.",
        subcommands: [List.self, Show.self, Create.self, Cancel.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List rollouts, newest first.")

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await client.withClient { api in
                let list: Wire.ItemList<Wire.Rollouts.Info> = try await api.get("/api/v1/rollouts")
                if client.json { return try client.printJSON(list) }
                guard !list.items.isEmpty else { return Console.write("No rollouts yet. Start one with: steward rollouts create") }
                var table = Table("ID", "ACTION", "APP", "SELECTOR", "STATUS", "SERVERS", "FAILED", "CREATED")
                for rollout in list.items {
                    table.add(
                        rollout.id, rollout.action, rollout.appID ?? "-", Formatting.labels(rollout.selector.labels), rollout.status,
                        "\(rollout.servers.count)", "\(rollout.failures)", Formatting.ago(rollout.createdAt))
                }
                Console.write(table.render())
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a rollout and each server's job.")

        @OptionGroup var client: ClientOptions

        @Argument(help: "The rollout's id.")
        var id: String

        func run() async throws {
            try await client.withClient { api in
                let rollout: Wire.Rollouts.Info = try await api.get("/api/v1/rollouts/\(try PathSegment.encode(id))")
                if client.json { return try client.printJSON(rollout) }
                Console.write(RolloutsCommand.describe(rollout))
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Start a rollout.",
            discussion: """
                Examples:
                  steward rollouts create --action upgrade --app nginx --selector env=prod --batch-size 2 --max-failures 1
                  steward rollouts create --action install --app redis --selector role=cache --set max_memory_mb=512
                  steward rollouts create --action steps --steps-file restart.json --selector env=staging
                """)

        @OptionGroup var client: ClientOptions

        @Option(help: "install, upgrade or steps.")
        var action: String

        @Option(help: "The app (install and upgrade).")
        var app: String?

        @Option(name: .customLong("set"), help: "An install input, name=value (repeatable).")
        var values: [String] = []

        @Option(help: "A JSON file with the steps, as POST /api/v1/jobs takes them (action steps).")
        var stepsFile: String?

        @Option(help: "A label the servers must have, key=value (repeatable; all must match).")
        var selector: [String] = []

        @Option(help: "Servers per batch.")
        var batchSize = 1

        @Option(help: "Failed servers tolerated; one more stops the rollout (unless --continue-on-failure).")
        var maxFailures = 0

        @Option(help: "Seconds to wait between batches.")
        var pauseSeconds = 0

        @Flag(help: "Go on to the end whatever fails.")
        var continueOnFailure = false

        @Flag(help: "Wait until the rollout ends; exit 0 only if it succeeded.")
        var follow = false

        func run() async throws {
            var labels: [String: String] = [:]
            for pair in selector {
                guard let change = Formatting.labelChange(pair), let value = change.value else {
                    throw ValidationError("--selector \(pair) must be key=value")
                }
                labels[change.key] = value
            }
            var steps: [Wire.Job.Step]?
            if let stepsFile {
                guard let data = FileManager.default.contents(atPath: stepsFile) else { throw ValidationError("cannot read \(stepsFile)") }
                steps = try Wire.makeDecoder().decode([Wire.Job.Step].self, from: data)
            }
            let request = Wire.Rollouts.Request(
                action: action, appID: app, inputs: values.isEmpty ? nil : try Formatting.inputValues(values), steps: steps,
                selector: .init(labels: labels), batchSize: batchSize, maxFailures: maxFailures, pauseSeconds: pauseSeconds,
                onFailure: continueOnFailure ? "continue" : "stop")
            try await client.withClient { api in
                var rollout: Wire.Rollouts.Info = try await api.post("/api/v1/rollouts", body: request)
                if !follow {
                    if client.json { return try client.printJSON(rollout) }
                    return Console.write("Started rollout \(rollout.id) on \(rollout.servers.count) servers.")
                }
                Console.write("Rollout \(rollout.id) on \(rollout.servers.count) servers…")
                while rollout.status == "running" {
                    try await Task.sleep(for: .seconds(2))
                    rollout = try await api.get("/api/v1/rollouts/\(rollout.id)")
                }
                if client.json { try client.printJSON(rollout) } else { Console.write(RolloutsCommand.describe(rollout)) }
                if rollout.status != "succeeded" { throw ExitCode(1) }
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel", abstract: "Stop a rollout: servers not started are left alone, running jobs cancelled.")

        @OptionGroup var client: ClientOptions

        @Argument(help: "The rollout's id.")
        var id: String

        func run() async throws {
            try await client.withClient { api in
                let rollout: Wire.Rollouts.Info = try await api.post(
                    "/api/v1/rollouts/\(try PathSegment.encode(id))/cancel", body: [String: String]())
                if client.json { return try client.printJSON(rollout) }
                Console.write("Cancelled rollout \(rollout.id).")
            }
        }
    }

    static func describe(_ rollout: Wire.Rollouts.Info) -> String {
        var table = Table("SERVER", "BATCH", "STATUS", "JOB", "ERROR")
        for target in rollout.servers {
            table.add(
                target.serverID, target.batch < 0 ? "-" : "\(target.batch + 1)", target.status, target.jobID ?? "-", target.error ?? "")
        }
        let header = Formatting.fields([
            ("id", rollout.id), ("action", "\(rollout.action) \(rollout.appID ?? "")"),
            ("selector", Formatting.labels(rollout.selector.labels)),
            ("status", rollout.status), ("failures", "\(rollout.failures) (at most \(rollout.maxFailures), then \(rollout.onFailure))"),
        ])
        return header + "\n\n" + table.render()
    }
}
