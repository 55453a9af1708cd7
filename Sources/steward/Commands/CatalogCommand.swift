import ArgumentParser
import Foundation
import StewardCore

struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Work with app catalogs.",
        subcommands: [Lint.self, Env.self]
    )

    struct Lint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check app manifests exactly as the hub does at start-up.",
            discussion: """
                Each DIR is an app folder (with manifest.yml) or a catalog of app folders. Exit status 0 when
                every app is clean, 1 when there are problems (all of them are listed).
                """
        )

        @Argument(help: "Catalog or app directories.")
        var directories: [String]

        @Flag(help: "Print {\"apps\": [...], \"problems\": [...]} as JSON.")
        var json = false

        struct Report: Encodable {
            var apps: [String]
            var problems: [ManifestProblem]
        }

        func run() async throws {
            let result = CatalogLoader.load(directories: directories)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let report = Report(apps: result.apps.map(\.manifest.id), problems: result.problems)
                Console.write(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else if result.problems.isEmpty {
                Console.write("\(result.apps.count) app\(result.apps.count == 1 ? "" : "s") checked, no problems.")
            } else {
                Console.write(result.problems.map(\.description).joined(separator: "\n"))
                Console.write("\(result.problems.count) problem\(result.problems.count == 1 ? "" : "s") found.")
            }
            if !result.problems.isEmpty { throw ExitCode.failure }
        }
    }

    struct Env: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the environment an app's scripts would get, as shell `export` lines.",
            discussion: """
                The values go through the same validation as an install request: defaults applied, hidden
                inputs dropped, passwords generated. For trying scripts by hand and for the catalog test harness;
                the output contains secrets in clear.
                """
        )

        @Argument(help: "The app's folder.")
        var directory: String

        @Option(name: .customLong("set"), help: "An input value, name=value (repeatable).")
        var values: [String] = []

        func run() async throws {
            let result = CatalogLoader.load(directories: [directory])
            guard result.problems.isEmpty, let app = result.apps.first else {
                Console.write(result.problems.map(\.description).joined(separator: "\n"))
                throw ExitCode.failure
            }
            var given: [String: InputValue] = [:]
            for value in values {
                guard let (name, text) = Formatting.labelChange(value), let text else {
                    throw ValidationError("--set takes name=value, not '\(value)'")
                }
                given[name] = .text(text)
            }
            switch InputValidator.validate(app.manifest, given: given) {
            case .success(let validated):
                for (name, value) in validated.environment.sorted(by: { $0.key < $1.key }) {
                    Console.write("export \(name)='\(value.replacingOccurrences(of: "'", with: "'\\''"))'")
                }
            case .failure(let failure):
                Console.write(failure.errors.map { "\($0.field): \($0.message)" }.joined(separator: "\n"))
                throw ExitCode.failure
            }
        }
    }
}
