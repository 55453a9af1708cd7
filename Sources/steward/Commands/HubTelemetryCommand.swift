import ArgumentParser
import Foundation
import StewardAgentCommand
import StewardHub

/// `steward hub telemetry preview`: what a licensed hub sends, before it does.
struct HubTelemetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telemetry", abstract: "Show what this hub reports to its license service.",
        subcommands: [HubTelemetryPreviewCommand.self])
}

struct HubTelemetryPreviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Print exactly the telemetry window this hub would send now, after the allow-list.",
        discussion: """
            Reads the hub's database (the hub may be running). The window runs from the end of the last one
            (or the activation) to now. docs/PRIVACY.md lists every field.
            """
    )

    @Option(help: "The hub's data directory.")
    var dataDir = "./steward-data"

    @Option(help: "postgres://user:pass@host:port/db for PostgreSQL; default: SQLite in the data directory.")
    var databaseURL: String?

    @Option(help: "Log format: text or json.")
    var logFormat = LogFormat.text

    func run() async throws {
        let logger = logFormat.bootstrap(label: "steward.hub")
        let url = databaseURL ?? ProcessInfo.processInfo.environment["STEWARD_DATABASE_URL"]
        let database = try url.map { try DatabaseLocation(url: $0) } ?? .sqlite(path: dataDir + "/steward.sqlite")
        let preview = try await TelemetryPreview.make(database: database, logger: logger)
        if let note = preview.note { FileHandle.standardError.write(Data((note + "\n").utf8)) }
        print(preview.body)
    }
}
