import Foundation
import Logging
import SQLKit
import StewardCore

/// Everything the hub keeps, over one SQL implementation for SQLite and PostgreSQL.
///
/// Each mutation that an operator causes takes the ``AuditEvent`` that records it and writes both in
/// one transaction: no change without its audit record, no audit record for a change that failed.
public struct Store: Sendable {
    public let pool: any DatabasePool
    /// The tenant made by the first migration; its first owner is the hub administrator.
    public static let defaultTenant = "default"

    public init(pool: any DatabasePool) {
        self.pool = pool
    }

    /// Brings the schema up to date. Safe to run from several hubs at once.
    @discardableResult
    public func migrate(logger: Logger) async throws -> [Int] {
        try await Migrator(pool: pool, logger: logger).migrate()
    }

    func appendAudit(_ event: AuditEvent, on db: any SQLDatabase, at now: Date) async throws {
        try await db.raw(
            """
            INSERT INTO audit_log (tenant_id, actor, action, target, detail, source_address, created_at)
            VALUES (\(bind: event.tenantID), \(bind: event.actor), \(bind: event.action), \(bind: event.target),
                    \(bind: JSONColumn.encode(event.detail)), \(bind: event.sourceAddress), \(bind: Millis.from(now)))
            """
        ).run()
    }
}
