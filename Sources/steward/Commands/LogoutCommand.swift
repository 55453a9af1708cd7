import ArgumentParser
import Foundation

/// `steward logout`: revokes the token `steward login` kept, and forgets it.
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout", abstract: "Revoke the token that `steward login` kept, and forget it.")

    func run() async throws {
        guard let config = CLIConfig.load() else {
            Console.write("Not signed in.")
            return
        }
        let options = try ClientOptions.parse(["--hub", config.hub, "--api-token", config.apiToken])
        try await options.withClient { client in try await client.delete("/api/v1/api-tokens/\(config.tokenID)") }
        try CLIConfig.remove()
        Console.write("Signed out of \(config.hub); the token is revoked.")
    }
}
