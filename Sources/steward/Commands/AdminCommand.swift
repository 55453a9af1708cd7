import ArgumentParser
import Foundation
import Logging
import StewardHub

/// `steward admin`: what needs the hub's files rather than its API.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Recover access with the hub's files (run on the hub's machine, as the user that owns them).",
        subcommands: [ResetPassword.self]
    )

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password",
            abstract: "Set a user's password anew and end their sessions; audited as local-admin.",
            discussion: """
                For an owner locked out of every account. The new password is asked for without echo (or read
                from standard input when it is not a terminal). With --disable-two-factor, two-factor sign-in is
                turned off too, for a lost authenticator and lost backup codes.
                """
        )

        @Option(help: "The hub's data directory (its SQLite database lives there).")
        var dataDir = "./steward-data"

        @Option(help: "postgres://… when the hub uses PostgreSQL (default: $STEWARD_DATABASE_URL, else SQLite in --data-dir).")
        var databaseURL: String?

        @Option(help: "Whose password to set.")
        var email: String

        @Flag(help: "Also turn two-factor sign-in off for this user.")
        var disableTwoFactor = false

        func run() async throws {
            let url = databaseURL ?? ProcessInfo.processInfo.environment["STEWARD_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
            let database = try url.map { try DatabaseLocation(url: $0) } ?? .sqlite(path: dataDir + "/steward.sqlite")
            if case .sqlite(let path) = database, !FileManager.default.fileExists(atPath: path) {
                throw ValidationError("there is no hub database at \(path); give --data-dir or --database-url")
            }
            guard let password = SecretPrompt.read("New password for \(email): "), !password.isEmpty else {
                throw ValidationError("no password given")
            }
            var logger = Logger(label: "steward.admin")
            logger.logLevel = .warning
            do {
                try await LocalAdmin.resetPassword(
                    database: database, email: email, password: password, disableTwoFactor: disableTwoFactor, logger: logger)
            } catch let failure as LocalAdmin.Failure {
                FileHandle.standardError.write(Data("steward: \(failure.description)\n".utf8))
                throw ExitCode.failure
            }
            Console.write(
                "The password of \(email) is set; their sessions have ended\(disableTwoFactor ? " and two-factor sign-in is off" : "").")
        }
    }
}
