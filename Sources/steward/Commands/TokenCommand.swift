import ArgumentParser
import Foundation
import StewardCore

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage registration tokens, which enroll servers.",
        subcommands: [Create.self, List.self, Revoke.self],
        defaultSubcommand: List.self
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a registration token; its value is shown once.")

        @OptionGroup var client: ClientOptions

        @Option(help: "What the token is for.")
        var description: String?

        @Option(help: "How long the token stays valid: 90s, 30m, 12h, 7d (default: no expiry).")
        var expiresIn: String?

        @Option(help: "How many servers it may enroll; 0 = unlimited.")
        var maxUses = 1

        @Option(name: .customLong("label"), help: "A label for enrolled servers, key=value (repeatable).")
        var labels: [String] = []

        func run() async throws {
            var seconds: Int?
            if let expiresIn {
                guard let parsed = Formatting.duration(expiresIn) else {
                    throw ValidationError("--expires-in takes a duration such as 90s, 30m, 12h or 7d")
                }
                seconds = parsed
            }
            var labelMap: [String: String] = [:]
            for label in labels {
                guard let (key, value) = Formatting.labelChange(label), let value else {
                    throw ValidationError("--label takes key=value, not '\(label)'")
                }
                labelMap[key] = value
            }
            let request = Wire.RegistrationToken.CreateRequest(
                description: description, expiresInSeconds: seconds, maxUses: maxUses, labels: labelMap)
            try await client.withClient { api in
                let created: Wire.RegistrationToken.Created = try await api.post("/api/v1/registration-tokens", body: request)
                if client.json { return try client.printJSON(created) }
                print("Registration token \(created.info.id) (shown once):\n\n  \(created.token)\n")
                let commands = EnrollmentCommands(hubURL: api.baseURL, token: created.token, hubKey: created.hubKey)
                print("On the server, as root (installs the agent as a systemd service and enrolls it):\n\n  \(commands.installer)\n")
                print("Or, where steward itself is installed:\n\n  \(commands.agent)\n")
                print("The hub's key, which both pin: \(created.hubKey)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registration tokens.")

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await client.withClient { api in
                let list: Wire.ItemList<Wire.RegistrationToken.Info> = try await api.get("/api/v1/registration-tokens")
                if client.json { return try client.printJSON(list) }
                guard !list.items.isEmpty else {
                    return print("No registration tokens yet. Create one with: steward token create")
                }
                var table = Table("ID", "STATUS", "USES", "EXPIRES", "LABELS", "DESCRIPTION")
                for token in list.items {
                    table.add(
                        token.id, token.status.rawValue, "\(token.uses)/\(token.maxUses == 0 ? "∞" : String(token.maxUses))",
                        token.expiresAt?.formatted(.iso8601) ?? "never", Formatting.labels(token.labels),
                        token.description)
                }
                print(table.render())
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a registration token.")

        @OptionGroup var client: ClientOptions

        @Argument(help: "The token's id (not its value).")
        var id: String

        func run() async throws {
            try await client.withClient { api in
                try await api.delete("/api/v1/registration-tokens/\(try PathSegment.encode(id))")
                if !client.json { print("Revoked registration token \(id).") }
            }
        }
    }
}
