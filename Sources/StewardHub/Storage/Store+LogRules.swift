import Foundation
import SQLKit
import StewardCore

extension Store {
    /// Stores a new rule; `false` when the tenant has a rule of that name already.
    public func createLogRule(_ rule: LogRuleRecord, audit: AuditEvent) async throws -> Bool {
        try await pool.transaction(.tenant(rule.tenantID)) { db in
            guard try await Self.logRuleNamed(rule.name, tenantID: rule.tenantID, on: db) == nil else { return false }
            try await db.raw(
                """
                INSERT INTO log_rules (id, tenant_id, name, pattern, sources, severity, selector, enabled, disabled_reason,
                    created_at, updated_at)
                VALUES (\(bind: rule.id), \(bind: rule.tenantID), \(bind: rule.name), \(bind: rule.pattern), \(bind: rule.storedSources),
                    \(bind: rule.severity.rawValue), \(bind: JSONColumn.encode(rule.selector)), \(bind: rule.enabled),
                    \(bind: rule.disabledReason), \(bind: Millis.from(rule.createdAt)), \(bind: rule.updatedAt.map(Millis.from)))
                """
            ).run()
            try await appendAudit(audit, on: db, at: rule.createdAt)
            return true
        }
    }

    /// The tenant's rules by name; only the enabled ones with `enabledOnly`.
    public func logRules(tenantID: String, enabledOnly: Bool = false) async throws -> [LogRuleRecord] {
        try await pool.read(.tenant(tenantID)) { db in
            var query: SQLQueryString = "SELECT * FROM log_rules WHERE tenant_id = \(bind: tenantID)"
            if enabledOnly { query = query + " AND enabled = \(bind: true)" }
            return try await db.raw(query + " ORDER BY name, id").all().map(LogRuleRecord.init(row:))
        }
    }

    public func logRule(id: String, tenantID: String) async throws -> LogRuleRecord? {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw("SELECT * FROM log_rules WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)").first()
                .map(LogRuleRecord.init(row:))
        }
    }

    /// Replaces a rule's settings; `false` when another rule of the tenant has its new name.
    public func updateLogRule(_ rule: LogRuleRecord, audit: AuditEvent) async throws -> Bool {
        try await pool.transaction(.tenant(rule.tenantID)) { db in
            guard try await Self.logRuleNamed(rule.name, tenantID: rule.tenantID, on: db).map({ $0 == rule.id }) ?? true else {
                return false
            }
            try await db.raw(
                """
                UPDATE log_rules SET name = \(bind: rule.name), pattern = \(bind: rule.pattern), sources = \(bind: rule.storedSources),
                    severity = \(bind: rule.severity.rawValue), selector = \(bind: JSONColumn.encode(rule.selector)),
                    enabled = \(bind: rule.enabled), disabled_reason = \(bind: rule.disabledReason),
                    updated_at = \(bind: rule.updatedAt.map(Millis.from))
                WHERE id = \(bind: rule.id) AND tenant_id = \(bind: rule.tenantID)
                """
            ).run()
            try await appendAudit(audit, on: db, at: rule.updatedAt ?? rule.createdAt)
            return true
        }
    }

    public func deleteLogRule(id: String, tenantID: String, at now: Date, audit: AuditEvent) async throws -> Bool {
        try await pool.transaction(.tenant(tenantID)) { db in
            let deleted = try await db.raw(
                "DELETE FROM log_rules WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID) RETURNING id"
            ).all()
            guard !deleted.isEmpty else { return false }
            try await appendAudit(audit, on: db, at: now)
            return true
        }
    }

    /// Turns a rule off with the reason, and records `event` (which says so) in the same
    /// transaction; `false` when the rule was gone or already off.
    public func disableLogRule(id: String, tenantID: String, reason: String, event: FleetEventRecord) async throws -> Bool {
        try await pool.transaction(.tenant(tenantID)) { db in
            let changed = try await db.raw(
                """
                UPDATE log_rules SET enabled = \(bind: false), disabled_reason = \(bind: reason), updated_at = \(bind: Millis.from(event.createdAt))
                WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID) AND enabled = \(bind: true) RETURNING id
                """
            ).all()
            guard !changed.isEmpty else { return false }
            try await Self.record(event, on: db)
            return true
        }
    }

    private static func logRuleNamed(_ name: String, tenantID: String, on db: any SQLDatabase) async throws -> String? {
        try await db.raw("SELECT id FROM log_rules WHERE tenant_id = \(bind: tenantID) AND name = \(bind: name)").first()?
            .decode(column: "id", as: String.self)
    }
}
