/// What an app's script is for: the roles a manifest's `scripts:` may name.
public enum ScriptRole: String, Codable, Sendable, CaseIterable {
    case install, uninstall, upgrade, health
    /// Dumps the app's data into `$STEWARD_BACKUP_DIR` (a database dump, say) for a backup or the
    /// snapshot before an upgrade; the files of `backup.paths` are copied by the agent itself.
    case backup
    /// Loads what `backup` dumped, from `$STEWARD_BACKUP_DIR`, after the agent put the files back.
    case restore
}
