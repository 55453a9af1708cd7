/// What an app's script is for: the roles a manifest's `scripts:` may name.
public enum ScriptRole: String, Codable, Sendable, CaseIterable {
    case install, uninstall, upgrade, health
}
