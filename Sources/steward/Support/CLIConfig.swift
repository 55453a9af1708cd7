import Foundation
import StewardCore

/// What `steward login` keeps for later commands: the hub and a token of the user's own, in
/// `$STEWARD_CONFIG`, else `$XDG_CONFIG_HOME/steward/config.json`, else `~/.config/steward/config.json`
/// (mode 0600, in a 0700 directory).
struct CLIConfig: Codable {
    var hub: String
    var apiToken: String
    var tokenID: String
    var email: String
    var tenantID: String

    enum CodingKeys: String, CodingKey {
        case hub, email
        case apiToken = "api_token"
        case tokenID = "token_id"
        case tenantID = "tenant_id"
    }

    static var path: String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["STEWARD_CONFIG"], !explicit.isEmpty { return explicit }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.config")
        return base + "/steward/config.json"
    }

    /// The saved login, if there is one that can be read.
    static func load() -> CLIConfig? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(CLIConfig.self, from: data)
    }

    func save() throws {
        try AtomicFile.makeDirectory(URL(fileURLWithPath: Self.path).deletingLastPathComponent().path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: Self.path, mode: 0o600)
    }

    static func remove() throws {
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
    }
}
