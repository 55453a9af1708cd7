import ArgumentParser
import Foundation
import StewardCore

struct ServersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "servers",
        abstract: "See and manage the fleet.",
        subcommands: [List.self, Show.self, Label.self, Rename.self, Remove.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List enrolled servers.")

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await client.withClient { api in
                let list: Wire.ItemList<Wire.Server.Info> = try await api.get("/api/v1/servers")
                if client.json { return try client.printJSON(list) }
                guard !list.items.isEmpty else {
                    return print("No servers yet. Create a registration token (steward token create) and run the agent it prints.")
                }
                var table = Table("ID", "NAME", "STATUS", "OS", "AGENT", "LAST SEEN", "LABELS")
                for server in list.items {
                    table.add(
                        server.id, server.name, server.status.rawValue, "\(server.facts.osID) \(server.facts.osVersion)",
                        server.agentVersion, Formatting.ago(server.lastSeenAt), Formatting.labels(server.labels))
                }
                print(table.render())
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one server with its facts.")

        @OptionGroup var client: ClientOptions

        @Argument(help: "The server's id.")
        var id: String

        func run() async throws {
            try await client.withClient { api in
                let server: Wire.Server.Info = try await api.get("/api/v1/servers/\(try PathSegment.encode(id))")
                if client.json { return try client.printJSON(server) }
                ServersCommand.describe(server)
            }
        }
    }

    struct Label: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set (key=value) or remove (key-) labels of a server.")

        @OptionGroup var client: ClientOptions

        @Argument(help: "The server's id.")
        var id: String

        @Argument(help: "key=value to set, key- to remove.")
        var changes: [String]

        func validate() throws {
            guard !changes.isEmpty else { throw ValidationError("give at least one key=value or key-") }
        }

        func run() async throws {
            var labels: [String: String?] = [:]
            for change in changes {
                guard let (key, value) = Formatting.labelChange(change) else {
                    throw ValidationError("'\(change)' is neither key=value nor key-")
                }
                labels[key] = .some(value)
            }
            try await client.withClient { api in
                let server: Wire.Server.Info = try await api.patch(
                    "/api/v1/servers/\(try PathSegment.encode(id))", body: Wire.Server.Patch(labels: labels))
                if client.json { return try client.printJSON(server) }
                print("Labels of \(server.name): \(Formatting.labels(server.labels))")
            }
        }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a server a new display name.")

        @OptionGroup var client: ClientOptions

        @Argument(help: "The server's id.")
        var id: String

        @Argument(help: "The new name.")
        var name: String

        func run() async throws {
            try await client.withClient { api in
                let server: Wire.Server.Info = try await api.patch(
                    "/api/v1/servers/\(try PathSegment.encode(id))", body: Wire.Server.Patch(name: name))
                if client.json { return try client.printJSON(server) }
                print("Renamed \(server.id) to \(server.name).")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decommission a server: its agent is revoked at once and stops.")

        @OptionGroup var client: ClientOptions

        @Argument(help: "The server's id.")
        var id: String

        @Option(help: "The server's name, typed again to confirm.")
        var confirm: String

        func run() async throws {
            try await client.withClient { api in
                try await api.delete("/api/v1/servers/\(try PathSegment.encode(id))", body: Wire.Confirmation(confirm: confirm))
                if !client.json { print("Decommissioned server \(id); its agent has been revoked.") }
            }
        }
    }

    static func describe(_ server: Wire.Server.Info) {
        let facts = server.facts
        let rows: [(String, String)] = [
            ("id", server.id), ("name", server.name), ("hostname", server.hostname), ("status", server.status.rawValue),
            ("last seen", Formatting.ago(server.lastSeenAt)), ("enrolled", server.enrolledAt.formatted(.iso8601)),
            ("labels", Formatting.labels(server.labels)), ("os", "\(facts.osID) \(facts.osVersion)"),
            ("kernel", facts.kernel), ("architecture", facts.architecture), ("cpus", String(facts.cpuCount)),
            ("memory", Formatting.bytes(facts.memoryBytes)), ("agent", server.agentVersion),
        ]
        Console.write(Formatting.fields(rows))
    }
}
