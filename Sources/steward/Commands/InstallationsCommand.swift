import ArgumentParser
import Foundation
import StewardCore

/// `steward installations …`: installed apps and their upgrades, reconfigures, backups, restores,
/// health checks, credentials and removal.
struct InstallationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "installations", abstract: "Installed apps: list, show, upgrade, reconfigure, back up, restore, remove.",
        subcommands: [
            List.self, Show.self, Upgrade.self, Reconfigure.self, Backup.self, Backups.self, Restore.self, CheckHealth.self,
            Credentials.self, Uninstall.self, SetHealthInterval.self,
        ],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List installed apps.")

        @OptionGroup var client: ClientOptions

        @Option(help: "Only this server's apps.")
        var server: String?

        func run() async throws {
            try await client.withClient { api in
                let query = try server.map { "?server=\(try PathSegment.encode($0))" } ?? ""
                let list: Wire.ItemList<Wire.Installations.Item> = try await api.get("/api/v1/installations" + query)
                if client.json { return try client.printJSON(list) }
                guard !list.items.isEmpty else {
                    return Console.write("Nothing installed yet. Install an app with: steward install APP --server ID")
                }
                var table = Table("ID", "APP", "VERSION", "SERVER", "STATUS", "UPGRADE", "HEALTH")
                for item in list.items {
                    table.add(
                        item.id, item.appID, item.version ?? "-", item.serverID, item.status,
                        item.upgradeAvailable ? "→ \(item.availableVersion ?? "?")" : "-", Self.health(item.lastHealth))
                }
                Console.write(table.render())
            }
        }

        static func health(_ health: Wire.Installations.Health?) -> String {
            guard let health else { return "-" }
            return "\(health.healthy ? "healthy" : "failing") \(Formatting.ago(health.checkedAt))"
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an installation.")

        @OptionGroup var client: ClientOptions

        @Argument(help: "The installation's id.")
        var id: String

        func run() async throws {
            try await client.withClient { api in
                let item: Wire.Installations.Item = try await api.get("/api/v1/installations/\(try PathSegment.encode(id))")
                if client.json { return try client.printJSON(item) }
                var rows: [(String, String)] = [
                    ("id", item.id), ("app", "\(item.appID) \(item.version ?? "")"), ("server", item.serverID), ("status", item.status),
                    ("upgrade", item.upgradeAvailable ? "version \(item.availableVersion ?? "?") is available" : "none"),
                    ("health", List.health(item.lastHealth)),
                    ("checked", item.healthIntervalSeconds == 0 ? "never" : "every \(item.healthIntervalSeconds) s"),
                ]
                if let job = item.activeJobID { rows.append(("running job", job)) }
                for (name, value) in item.inputs.sorted(by: { $0.key < $1.key }) { rows.append(("input", "\(name)=\(value)")) }
                for (name, value) in item.outputs.sorted(by: { $0.key < $1.key }) { rows.append(("output", "\(name)=\(value)")) }
                Console.write(Formatting.fields(rows))
            }
        }
    }

    /// A command that queues one of an installation's jobs and can follow it.
    struct Action: ParsableArguments {
        @OptionGroup var client: ClientOptions

        @Argument(help: "The installation's id.")
        var id: String

        @Flag(help: "Follow the job's log until it ends; exit 0 only if it succeeded.")
        var follow = false

        func queue(_ action: String, body: some Encodable = [String: String](), saying what: String) async throws {
            try await client.queueJob("/api/v1/installations/\(try PathSegment.encode(id))/\(action)", body: body, follow: follow) { _ in
                ": \(what)"
            }
        }
    }

    struct Upgrade: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upgrade to the catalog's version: snapshot, upgrade, health check; rolled back if either fails.")

        @OptionGroup var action: Action

        func run() async throws { try await action.queue("upgrade", saying: "upgrade \(action.id)") }
    }

    struct Reconfigure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change inputs and run the install again; the others keep their values.")

        @OptionGroup var action: Action

        @Option(name: .customLong("set"), help: "An input value, name=value (repeatable).")
        var values: [String] = []

        func run() async throws {
            let inputs = try Formatting.inputValues(values)
            try await action.queue(
                "reconfigure", body: Wire.Installations.ReconfigureRequest(inputs: inputs), saying: "reconfigure \(action.id)")
        }
    }

    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Back the app up on its server.")

        @OptionGroup var action: Action

        func run() async throws { try await action.queue("backup", saying: "back up \(action.id)") }
    }

    struct Backups: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an installation's backups and snapshots, newest first.")

        @OptionGroup var client: ClientOptions

        @Argument(help: "The installation's id.")
        var id: String

        func run() async throws {
            try await client.withClient { api in
                let list: Wire.ItemList<Wire.Installations.Backup> = try await api.get(
                    "/api/v1/installations/\(try PathSegment.encode(id))/backups")
                if client.json { return try client.printJSON(list) }
                guard !list.items.isEmpty else { return Console.write("No backups yet. Make one with: steward installations backup \(id)") }
                var table = Table("ID", "KIND", "STATUS", "VERSION", "SIZE", "CREATED")
                for backup in list.items {
                    table.add(
                        backup.id, backup.kind, backup.status, backup.appVersion, backup.sizeBytes.map(Formatting.bytes) ?? "-",
                        Formatting.ago(backup.createdAt))
                }
                Console.write(table.render())
            }
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a backup back: the app's files and data are replaced with the backup's.")

        @OptionGroup var action: Action

        @Option(help: "The backup's id (see `steward installations backups ID`).")
        var backup: String

        @Option(help: "The app's id, to confirm that its files and data are to be replaced.")
        var confirm: String

        func run() async throws {
            try await action.queue(
                "restore", body: Wire.Installations.RestoreRequest(backupID: backup, confirm: confirm),
                saying: "restore backup \(backup) of \(action.id)")
        }
    }

    struct CheckHealth: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "check-health", abstract: "Run the app's health check now.")

        @OptionGroup var action: Action

        func run() async throws { try await action.queue("check-health", saying: "health check of \(action.id)") }
    }

    struct Uninstall: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove the app, with the inputs it was installed with.")

        @OptionGroup var action: Action

        func run() async throws { try await action.queue("uninstall", saying: "uninstall \(action.id)") }
    }

    struct Credentials: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the app's passwords and secret outputs (audited; admins and owners only).")

        @OptionGroup var client: ClientOptions

        @Argument(help: "The installation's id.")
        var id: String

        func run() async throws {
            try await client.withClient { api in
                let credentials: Wire.Installations.Credentials = try await api.post(
                    "/api/v1/installations/\(try PathSegment.encode(id))/credentials", body: [String: String]())
                if client.json { return try client.printJSON(credentials) }
                var rows: [(String, String)] = []
                for (name, value) in credentials.inputs.sorted(by: { $0.key < $1.key }) { rows.append(("input", "\(name)=\(value)")) }
                for (name, value) in credentials.outputs.sorted(by: { $0.key < $1.key }) { rows.append(("output", "\(name)=\(value)")) }
                Console.write(rows.isEmpty ? "No secrets are kept for this installation." : Formatting.fields(rows))
            }
        }
    }

    struct SetHealthInterval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "health-interval", abstract: "Set how often the app's health is checked (0 turns checks off).")

        @OptionGroup var client: ClientOptions

        @Argument(help: "The installation's id.")
        var id: String

        @Argument(help: "Seconds between checks: 0, or 60 to 86400.")
        var seconds: Int

        func run() async throws {
            try await client.withClient { api in
                let item: Wire.Installations.Item = try await api.patch(
                    "/api/v1/installations/\(try PathSegment.encode(id))", body: Wire.Installations.Patch(healthIntervalSeconds: seconds))
                if client.json { return try client.printJSON(item) }
                Console.write(seconds == 0 ? "Health checks of \(id) are off." : "Health of \(id) is checked every \(seconds) s.")
            }
        }
    }
}
