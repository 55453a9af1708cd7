import Foundation
import SQLKit
import StewardCore

extension Store {
    /// Up to `limit` audit records older than `before` (all when `nil`), newest first.
    public func auditPage(tenantID: String, before: Int64?, limit: Int) async throws -> Wire.Audit.Page {
        try await pool.read { db in
            let cursor = before ?? Int64.max
            let rows = try await db.raw(
                """
                SELECT * FROM audit_log WHERE tenant_id = \(bind: tenantID) AND id < \(bind: cursor)
                ORDER BY id DESC LIMIT \(bind: limit + 1)
                """
            ).all()
            let entries = try rows.prefix(limit).map(AuditEvent.entry(row:))
            return .init(items: entries, nextBefore: rows.count > limit ? entries.last?.id : nil)
        }
    }
}
