/// Which SQL server a hub stores its data in.
public enum DatabaseKind: String, Sendable, Codable {
    /// The embedded default: one file in the data directory.
    case sqlite
    /// For scale-out: several hubs may share one PostgreSQL database.
    case postgresql
}
