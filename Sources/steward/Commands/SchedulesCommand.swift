import ArgumentParser
import Foundation
import StewardCore

/// `steward schedules …`: cron expressions that run backups, health checks, upgrades, step jobs
/// and rollouts.
struct SchedulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules", abstract: "Run backups, health checks, upgrades, step jobs or rollouts on a cron schedule.",
        subcommands: [List.self, Create.self, Enable.self, Disable.self, Delete.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List schedules.")

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await client.withClient { api in
                let list: Wire.ItemList<Wire.Schedules.Info> = try await api.get("/api/v1/schedules")
                if client.json { return try client.printJSON(list) }
                guard !list.items.isEmpty else { return Console.write("No schedules yet. Make one with: steward schedules create") }
                var table = Table("ID", "NAME", "CRON", "TIME ZONE", "NEXT", "LAST")
                for schedule in list.items {
                    let last = schedule.lastOutcome.map { outcome in
                        outcome.error.map { "failed: \($0)" } ?? (outcome.skipped == true ? "skipped (missed)" : "ok")
                    }
                    table.add(
                        schedule.id, schedule.name, schedule.cron, schedule.timeZone,
                        schedule.enabled ? schedule.nextRunAt?.formatted(.iso8601) ?? "never" : "off", last ?? "-")
                }
                Console.write(table.render())
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Make a schedule.",
            discussion: """
                Examples:
                  steward schedules create --cron "0 3 * * *" --time-zone Europe/Berlin --backup INSTALLATION
                  steward schedules create --cron "@hourly" --health INSTALLATION --missed run_once
                  steward schedules create --cron "0 4 * * sun" --action-file rollout.json
                """)

        @OptionGroup var client: ClientOptions

        @Option(help: "Five fields (minute hour day-of-month month day-of-week) or @hourly, @daily, @weekly, @monthly.")
        var cron: String

        @Option(help: "An IANA time zone such as Europe/Berlin (default UTC).")
        var timeZone = "UTC"

        @Option(help: "A name to show (default: what it does).")
        var name: String?

        @Option(help: "What to do with a fire time that passed while no hub ran: skip or run_once.")
        var missed = "skip"

        @Option(help: "Back up this installation.")
        var backup: String?

        @Option(help: "Check this installation's health.")
        var health: String?

        @Option(help: "Upgrade this installation when the catalog has a new version.")
        var upgrade: String?

        @Option(help: "A JSON file with the action: a step job ({\"server_id\", \"steps\"}) or a rollout ({\"action\", \"selector\", …}).")
        var actionFile: String?

        func run() async throws {
            let given = [backup.map { ($0, "backup") }, health.map { ($0, "health") }, upgrade.map { ($0, "upgrade") }].compactMap { $0 }
            let action: Wire.Schedules.Action
            switch (given.count, actionFile) {
            case (1, nil): action = .init(installationID: given[0].0, job: given[0].1)
            case (0, .some(let file)):
                guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
                action = try Wire.makeDecoder().decode(Wire.Schedules.Action.self, from: data)
            default:
                throw ValidationError("give one of --backup, --health, --upgrade or --action-file")
            }
            try await client.withClient { api in
                let schedule: Wire.Schedules.Info = try await api.post(
                    "/api/v1/schedules",
                    body: Wire.Schedules.Request(name: name, cron: cron, timeZone: timeZone, missed: missed, action: action))
                if client.json { return try client.printJSON(schedule) }
                Console.write(
                    "Made schedule \(schedule.id); it fires next at \(schedule.nextRunAt?.formatted(.iso8601) ?? "no time ahead").")
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enable", abstract: "Turn a schedule on.")

        @OptionGroup var client: ClientOptions

        @Argument(help: "The schedule's id.")
        var id: String

        func run() async throws { try await SchedulesCommand.set(enabled: true, id: id, client: client) }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "Turn a schedule off.")

        @OptionGroup var client: ClientOptions

        @Argument(help: "The schedule's id.")
        var id: String

        func run() async throws { try await SchedulesCommand.set(enabled: false, id: id, client: client) }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a schedule.")

        @OptionGroup var client: ClientOptions

        @Argument(help: "The schedule's id.")
        var id: String

        func run() async throws {
            try await client.withClient { api in
                try await api.delete("/api/v1/schedules/\(try PathSegment.encode(id))")
                if !client.json { Console.write("Deleted schedule \(id).") }
            }
        }
    }

    static func set(enabled: Bool, id: String, client: ClientOptions) async throws {
        try await client.withClient { api in
            let schedule: Wire.Schedules.Info = try await api.patch(
                "/api/v1/schedules/\(try PathSegment.encode(id))", body: Wire.Schedules.Patch(enabled: enabled))
            if client.json { return try client.printJSON(schedule) }
            Console.write(
                enabled
                    ? "Schedule \(id) is on; next at \(schedule.nextRunAt?.formatted(.iso8601) ?? "no time ahead")."
                    : "Schedule \(id) is off.")
        }
    }
}
