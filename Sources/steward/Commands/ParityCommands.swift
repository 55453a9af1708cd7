import ArgumentParser
import Foundation
import StewardCore

/// `steward apps …`: the catalog as the hub serves it.
struct AppsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apps", abstract: "The hub's app catalog: list, show, validate inputs.",
        subcommands: [List.self, Show.self, Validate.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the apps.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await client.withClient { api in
                let list: Wire.ItemList<Wire.App.Summary> = try await api.get("/api/v1/apps")
                if client.json { return try client.printJSON(list) }
                var table = Table("ID", "VERSION", "CATEGORY", "NAME")
                for app in list.items { table.add(app.id, app.version, app.category, app.name) }
                Console.write(table.render())
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an app: its inputs, scripts and outputs.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The app's id.") var id: String

        func run() async throws {
            try await client.withClient { api in
                let app: Wire.App.Detail = try await api.get("/api/v1/apps/\(try PathSegment.encode(id))")
                if client.json { return try client.printJSON(app) }
                var rows: [(String, String)] = [
                    ("id", app.id), ("name", "\(app.name) \(app.version)"), ("category", app.category), ("description", app.description),
                    ("scripts", app.scripts.joined(separator: ", ")), ("requires", app.requires.joined(separator: ", ")),
                    ("outputs", app.outputs.joined(separator: ", ")),
                ]
                for input in app.inputs {
                    let details = [input.type, input.required ? "required" : nil, input.default.map { "default \($0)" }]
                        .compactMap { $0 }.joined(separator: ", ")
                    rows.append(("input", "\(input.name) (\(details))"))
                }
                Console.write(Formatting.fields(rows))
            }
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check inputs as an install would, without installing.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The app's id.") var id: String
        @Option(name: .customLong("set"), help: "An input value, name=value (repeatable).") var values: [String] = []

        func run() async throws {
            let inputs = try Formatting.inputValues(values)
            try await client.withClient { api in
                let answer: Wire.App.ValidateResponse = try await api.post(
                    "/api/v1/apps/\(try PathSegment.encode(id))/validate", body: Wire.App.ValidateRequest(inputs: inputs))
                if client.json { return try client.printJSON(answer) }
                Console.write(Formatting.fields(answer.values.sorted { $0.key < $1.key }.map { ("input", "\($0.key)=\($0.value)") }))
                if !answer.generated.isEmpty { Console.write("generated on install: \(answer.generated.joined(separator: ", "))") }
            }
        }
    }
}

/// `steward uninstall APP --server ID`: the app's uninstall script with the inputs it was installed with.
struct UninstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall", abstract: "Remove an app from a server (its uninstall script, with the stored inputs).")
    @OptionGroup var client: ClientOptions
    @Argument(help: "The app's id.") var app: String
    @Option(help: "The server's id.") var server: String
    @Flag(help: "Follow the job's log until it ends; exit 0 only if it succeeded.") var follow = false

    func run() async throws {
        try await client.queueJob(
            "/api/v1/apps/\(try PathSegment.encode(app))/uninstall", body: Wire.Job.AppRequest(serverID: server, inputs: [:]),
            follow: follow
        ) { _ in ": uninstall \(app) from \(server)" }
    }
}

/// `steward run --server ID --steps-file F`: a job of steps (`POST /api/v1/jobs`).
struct RunStepsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a job of steps on a server: a JSON file of steps as POST /api/v1/jobs takes them.")
    @OptionGroup var client: ClientOptions
    @Option(help: "The server's id.") var server: String
    @Option(help: "A JSON file: an array of steps, or {\"steps\": [...]} (- for standard input).") var stepsFile: String
    @Option(help: "Seconds the job may run (default 600).") var timeout: Int?
    @Flag(help: "Follow the job's log until it ends; exit 0 only if it succeeded.") var follow = false

    func run() async throws {
        let data = stepsFile == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: stepsFile))
        let decoder = Wire.makeDecoder()
        struct Wrapped: Decodable { var steps: [Wire.Job.Step] }
        let steps: [Wire.Job.Step]
        if let list = try? decoder.decode([Wire.Job.Step].self, from: data) {
            steps = list
        } else if let wrapped = try? decoder.decode(Wrapped.self, from: data) {
            steps = wrapped.steps
        } else {
            throw ValidationError("\(stepsFile) is not a JSON array of steps nor {\"steps\": [...]}")
        }
        try await client.queueJob(
            "/api/v1/jobs", body: Wire.Job.StepsRequest(serverID: server, steps: steps, timeoutSeconds: timeout), follow: follow
        ) { _ in ": \(steps.count) step(s) on \(server)" }
    }
}

/// `steward audit`: who did what, newest first.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The audit log, newest first.")
    @OptionGroup var client: ClientOptions
    @Option(help: "Only this actor's entries (an e-mail).") var actor: String?
    @Option(help: "Only this action (e.g. job.install, config.restore).") var action: String?
    @Option(help: "How many (1 to 500).") var limit = 50

    func run() async throws {
        var query = ["limit=\(limit)"]
        if let actor { query.append("actor=\(try PathSegment.encode(actor))") }
        if let action { query.append("action=\(try PathSegment.encode(action))") }
        try await client.withClient { api in
            let page: Wire.Audit.Page = try await api.get("/api/v1/audit?" + query.joined(separator: "&"))
            if client.json { return try client.printJSON(page) }
            var table = Table("WHEN", "ACTOR", "ACTION", "TARGET")
            for entry in page.items { table.add(Formatting.ago(entry.createdAt), entry.actor, entry.action, entry.target) }
            Console.write(table.render())
        }
    }
}

/// `steward events`: the fleet's stored events, newest first.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "The fleet's stored events, newest first.")
    @OptionGroup var client: ClientOptions
    @Option(help: "Only this server's.") var server: String?
    @Option(help: "Only this kind (e.g. server.offline, config.drift).") var kind: String?
    @Option(help: "How many (1 to 1000).") var limit = 100

    func run() async throws {
        var query = ["limit=\(limit)"]
        if let server { query.append("server_id=\(try PathSegment.encode(server))") }
        if let kind { query.append("kind=\(try PathSegment.encode(kind))") }
        try await client.withClient { api in
            let list: Wire.ItemList<Wire.Alerting.FleetEvent> = try await api.get("/api/v1/fleet-events?" + query.joined(separator: "&"))
            if client.json { return try client.printJSON(list) }
            var table = Table("WHEN", "SEVERITY", "KIND", "SERVER", "MESSAGE")
            for event in list.items {
                let firstLine = event.message.split(separator: "\n").first.map(String.init) ?? ""
                table.add(Formatting.ago(event.at), event.severity, event.kind, event.serverID ?? "-", firstLine)
            }
            Console.write(table.render())
        }
    }
}
