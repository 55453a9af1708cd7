/// One versioned step of the schema. Once shipped, a migration is never edited: add a new one.
package struct Migration: Sendable {
    package var version: Int
    package var name: String
    /// The statements for each database kind, run in order inside one transaction.
    package var statements: @Sendable (DatabaseKind) -> [String]

    package init(version: Int, name: String, statements: @escaping @Sendable (DatabaseKind) -> [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}
