/// One versioned step of the schema. Once shipped, a migration is never edited: add a new one.
struct Migration: Sendable {
    var version: Int
    var name: String
    /// The statements for each database kind, run in order inside one transaction.
    var statements: @Sendable (DatabaseKind) -> [String]
}
