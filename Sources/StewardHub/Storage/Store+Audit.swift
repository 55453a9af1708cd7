import Foundation
import SQLKit
import StewardCore

extension Store {
    /// Up to `limit` audit records older than `before` (all when `nil`), newest first, optionally
    /// only one actor's or one action's.
    public func auditPage(
        tenantID: String, before: Int64?, limit: Int, actor: String? = nil, action: String? = nil
    ) async throws -> Wire.Audit.Page {
        try await pool.read(.tenant(tenantID)) { db in
            var query = db.select().column("*").from("audit_log")
                .where("tenant_id", .equal, tenantID).where("id", .lessThan, before ?? Int64.max)
            if let actor { query = query.where("actor", .equal, actor) }
            if let action { query = query.where("action", .equal, action) }
            let rows = try await query.orderBy("id", .descending).limit(limit + 1).all()
            let entries = try rows.prefix(limit).map(AuditEvent.entry(row:))
            return .init(items: entries, nextBefore: rows.count > limit ? entries.last?.id : nil)
        }
    }
}
