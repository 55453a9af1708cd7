import Foundation
import Logging
import SQLKit

/// Applies the migrations a database lacks, in order, and records each in `schema_migrations`.
///
/// Several hubs may start at once against one PostgreSQL database: the whole run happens in one
/// transaction holding an advisory lock, so exactly one of them migrates and the others then see
/// the result.
package struct Migrator {
    package var pool: any DatabasePool
    package var migrations: [Migration] = Migrations.all
    package var logger: Logger
    /// Names "this schema's migrations" among PostgreSQL's advisory locks.
    package var advisoryLock: Int64 = 727_100_001

    package init(pool: any DatabasePool, migrations: [Migration] = Migrations.all, logger: Logger, advisoryLock: Int64 = 727_100_001) {
        self.pool = pool
        self.migrations = migrations
        self.logger = logger
        self.advisoryLock = advisoryLock
    }

    /// The versions that were applied by this call.
    @discardableResult
    package func migrate() async throws -> [Int] {
        let kind = pool.kind
        let migrations = self.migrations
        let logger = self.logger
        let advisoryLock = self.advisoryLock
        return try await pool.transaction(.hub) { db in
            if kind == .postgresql {
                try await db.raw("SELECT pg_advisory_xact_lock(\(bind: advisoryLock))").run()
            }
            try await db.raw(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at BIGINT NOT NULL
                )
                """
            ).run()
            let applied = Set(
                try await db.raw("SELECT version FROM schema_migrations").all().map { try $0.decode(column: "version", as: Int.self) }
            )
            let known = Set(migrations.map(\.version))
            if let unknown = applied.subtracting(known).max() {
                throw ConfigurationError(
                    "the database has schema version \(unknown), which this Steward does not know; run a newer Steward"
                )
            }
            var done: [Int] = []
            for migration in migrations.sorted(by: { $0.version < $1.version }) where !applied.contains(migration.version) {
                for statement in migration.statements(kind) {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.raw(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Millis.now))"
                ).run()
                logger.info(
                    "applied migration", metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
                done.append(migration.version)
            }
            return done
        }
    }
}
