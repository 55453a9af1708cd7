import ArgumentParser
import Foundation
import StewardCore

/// `steward config …`: a server's config history: files, versions, diffs, restores, drift checks
/// and the git export.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "A server's config history: versions, diffs, restore, drift check, git export.",
        subcommands: [History.self, Diff.self, Restore.self, Check.self, Export.self], defaultSubcommand: History.self)

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the files a server's history tracks, or with --path that file's versions, newest first.")

        @OptionGroup var client: ClientOptions

        @Option(help: "The server's id.")
        var server: String

        @Option(help: "A tracked file's absolute path.")
        var path: String?

        func run() async throws {
            try await client.withClient { api in
                let query = try path.map { "?path=\(try PathSegment.encode($0))" } ?? ""
                let list: Wire.ItemList<Wire.ConfigHistory.Version> = try await api.get(
                    "/api/v1/servers/\(try PathSegment.encode(server))/config" + query)
                if client.json { return try client.printJSON(list) }
                guard !list.items.isEmpty else {
                    return Console.write(path == nil ? "No file has been written by a job on this server yet." : "No versions of \(path!).")
                }
                var table =
                    path == nil
                    ? Table("PATH", "LATEST", "SHA-256", "SIZE", "BY", "WHEN") : Table("VERSION", "SOURCE", "SHA-256", "SIZE", "BY", "WHEN")
                for version in list.items {
                    let content = version.deleted ? "(removed)" : String(version.sha256.prefix(12))
                    table.add(
                        path == nil ? version.path : version.id, path == nil ? version.id : version.source, content, "\(version.size)",
                        version.author, Formatting.ago(version.createdAt))
                }
                Console.write(table.render())
            }
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the unified diff between two versions (masked).")

        @OptionGroup var client: ClientOptions

        @Option(help: "The server's id.")
        var server: String

        @Argument(help: "The older version's id.")
        var from: String

        @Argument(help: "The newer version's id.")
        var to: String

        func run() async throws {
            try await client.withClient { api in
                let data = try await api.getData(
                    "/api/v1/servers/\(try PathSegment.encode(server))/config/diff?from=\(try PathSegment.encode(from))&to=\(try PathSegment.encode(to))"
                )
                let text = String(decoding: data, as: UTF8.self)
                Console.write(text.isEmpty ? "The two versions show the same content." : String(text.dropLast()))
            }
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a version back to its file, as a job.")

        @OptionGroup var client: ClientOptions

        @Option(help: "The server's id.")
        var server: String

        @Argument(help: "The version's id.")
        var version: String

        @Option(help: "The file's path again, to confirm.")
        var confirm: String

        @Flag(help: "Follow the job's log until it ends; exit 0 only if it succeeded.")
        var follow = false

        func run() async throws {
            try await client.queueJob(
                "/api/v1/servers/\(try PathSegment.encode(server))/config/versions/\(try PathSegment.encode(version))/restore",
                body: Wire.ConfigHistory.RestoreRequest(confirm: confirm), follow: follow
            ) { _ in ": restore \(confirm) to version \(version)" }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check the tracked files for changes made outside Steward, now.")

        @OptionGroup var client: ClientOptions

        @Option(help: "The server's id.")
        var server: String

        @Flag(help: "Follow the job's log until it ends; exit 0 only if it succeeded.")
        var follow = false

        func run() async throws {
            try await client.queueJob(
                "/api/v1/servers/\(try PathSegment.encode(server))/config/check", body: [String: String](), follow: follow
            ) { _ in ": drift check" }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download the history as a tar of a bare git repository (config.git/), one commit per change.")

        @OptionGroup var client: ClientOptions

        @Option(help: "The server's id.")
        var server: String

        @Option(name: .shortAndLong, help: "Where to write the tar archive.")
        var output: String

        func run() async throws {
            try await client.withClient { api in
                let data = try await api.getData("/api/v1/servers/\(try PathSegment.encode(server))/config/export")
                try data.write(to: URL(fileURLWithPath: output))
                Console.write("Wrote \(data.count) bytes to \(output): tar -xf \(output) && git -C config.git log")
            }
        }
    }
}
