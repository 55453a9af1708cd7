import Foundation
import StewardCore

/// The agent's state directory (mode 0700) and the credentials file in it (mode 0600).
public struct StateDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    var credentialsPath: String { path + "/credentials.json" }

    /// The stored credentials, or `nil` when the agent has not enrolled yet.
    public func loadCredentials() throws -> AgentCredentials? {
        guard FileManager.default.fileExists(atPath: credentialsPath) else { return nil }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: credentialsPath))
            return try JSONDecoder().decode(AgentCredentials.self, from: data)
        } catch {
            throw AgentError(
                .stateUnreadable,
                "\(credentialsPath) cannot be read (\(error)); move it away and enroll again with a new token")
        }
    }

    /// Writes the credentials atomically: a crash leaves either no file or a complete one.
    public func save(_ credentials: AgentCredentials) throws {
        try AtomicFile.makeDirectory(path, mode: 0o700)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(credentials), to: credentialsPath, mode: 0o600)
    }
}
