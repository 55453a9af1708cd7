import Foundation
import SQLKit
import StewardCore

extension Store {
    // MARK: Notification channels

    /// Stores a channel; `false` when the tenant has one of that name already.
    public func createChannel(_ channel: NotificationChannelRecord, audit: AuditEvent) async throws -> Bool {
        try await pool.transaction(.tenant(channel.tenantID)) { db in
            guard
                try await db.raw(
                    "SELECT id FROM notification_channels WHERE tenant_id = \(bind: channel.tenantID) AND name = \(bind: channel.name)"
                ).first() == nil
            else { return false }
            try await db.raw(
                """
                INSERT INTO notification_channels (id, tenant_id, name, type, url_shown, sealed_config, has_secret, created_at)
                VALUES (\(bind: channel.id), \(bind: channel.tenantID), \(bind: channel.name), \(bind: channel.type.rawValue),
                    \(bind: channel.urlShown), \(bind: channel.sealedConfig), \(bind: channel.hasSecret), \(bind: Millis.from(channel.createdAt)))
                """
            ).run()
            try await appendAudit(audit, on: db, at: channel.createdAt)
            return true
        }
    }

    public func channels(tenantID: String) async throws -> [NotificationChannelRecord] {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw("SELECT * FROM notification_channels WHERE tenant_id = \(bind: tenantID) ORDER BY name, id").all()
                .map(NotificationChannelRecord.init(row:))
        }
    }

    public func channel(id: String, tenantID: String) async throws -> NotificationChannelRecord? {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw("SELECT * FROM notification_channels WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)").first()
                .map(NotificationChannelRecord.init(row:))
        }
    }

    /// Deletes a channel with its deliveries and takes it out of the rules that notify it.
    public func deleteChannel(id: String, tenantID: String, at now: Date, audit: AuditEvent) async throws -> Bool {
        try await pool.transaction(.tenant(tenantID)) { db in
            guard
                try await db.raw("SELECT id FROM notification_channels WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)").first()
                    != nil
            else { return false }
            for var rule in try await db.raw("SELECT * FROM alert_rules WHERE tenant_id = \(bind: tenantID)").all()
                .map(AlertRuleRecord.init(row:)) where rule.channelIDs.contains(id)
            {
                rule.channelIDs.removeAll { $0 == id }
                try await db.raw(
                    "UPDATE alert_rules SET channel_ids = \(bind: JSONColumn.encode(rule.channelIDs)) WHERE id = \(bind: rule.id)"
                ).run()
            }
            try await db.raw("DELETE FROM notification_deliveries WHERE channel_id = \(bind: id)").run()
            try await db.raw("DELETE FROM notification_channels WHERE id = \(bind: id)").run()
            try await appendAudit(audit, on: db, at: now)
            return true
        }
    }

    // MARK: Alert rules

    /// Stores a rule; `false` when the tenant has one of that name already.
    public func createRule(_ rule: AlertRuleRecord, audit: AuditEvent) async throws -> Bool {
        try await pool.transaction(.tenant(rule.tenantID)) { db in
            guard try await Self.ruleNamed(rule.name, tenantID: rule.tenantID, on: db) == nil else { return false }
            try await db.raw(
                """
                INSERT INTO alert_rules (id, tenant_id, name, kind, metric, operator, threshold, statuses, for_seconds,
                    cooldown_seconds, selector, channel_ids, enabled, created_at, updated_at)
                VALUES (\(bind: rule.id), \(bind: rule.tenantID), \(bind: rule.name), \(bind: rule.kind.rawValue), \(bind: rule.metric),
                    \(bind: rule.comparison?.rawValue), \(bind: rule.threshold), \(bind: try rule.storedStatuses),
                    \(bind: rule.forSeconds), \(bind: rule.cooldownSeconds), \(bind: JSONColumn.encode(rule.selector)),
                    \(bind: JSONColumn.encode(rule.channelIDs)), \(bind: rule.enabled), \(bind: Millis.from(rule.createdAt)),
                    \(bind: Millis.from(rule.updatedAt)))
                """
            ).run()
            try await appendAudit(audit, on: db, at: rule.createdAt)
            return true
        }
    }

    public func rules(tenantID: String) async throws -> [AlertRuleRecord] {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw("SELECT * FROM alert_rules WHERE tenant_id = \(bind: tenantID) ORDER BY name, id").all()
                .map(AlertRuleRecord.init(row:))
        }
    }

    public func rule(id: String, tenantID: String) async throws -> AlertRuleRecord? {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw("SELECT * FROM alert_rules WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)").first()
                .map(AlertRuleRecord.init(row:))
        }
    }

    /// Replaces a rule's settings; `false` when another rule of the tenant has its new name. Open
    /// alerts of a rule that no longer holds or was disabled resolve at the next evaluation.
    public func updateRule(_ rule: AlertRuleRecord, audit: AuditEvent) async throws -> Bool {
        try await pool.transaction(.tenant(rule.tenantID)) { db in
            guard try await Self.ruleNamed(rule.name, tenantID: rule.tenantID, on: db).map({ $0 == rule.id }) ?? true else { return false }
            try await db.raw(
                """
                UPDATE alert_rules SET name = \(bind: rule.name), metric = \(bind: rule.metric), operator = \(bind: rule.comparison?.rawValue),
                    threshold = \(bind: rule.threshold), statuses = \(bind: try rule.storedStatuses),
                    for_seconds = \(bind: rule.forSeconds), cooldown_seconds = \(bind: rule.cooldownSeconds),
                    selector = \(bind: JSONColumn.encode(rule.selector)), channel_ids = \(bind: JSONColumn.encode(rule.channelIDs)),
                    enabled = \(bind: rule.enabled), updated_at = \(bind: Millis.from(rule.updatedAt))
                WHERE id = \(bind: rule.id) AND tenant_id = \(bind: rule.tenantID)
                """
            ).run()
            try await appendAudit(audit, on: db, at: rule.updatedAt)
            return true
        }
    }

    /// Deletes a rule; its open alerts are resolved now (without notifying: the rule is gone).
    public func deleteRule(id: String, tenantID: String, at now: Date, audit: AuditEvent) async throws -> Bool {
        try await pool.transaction(.tenant(tenantID)) { db in
            guard try await db.raw("SELECT id FROM alert_rules WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)").first() != nil
            else { return false }
            try await db.raw("DELETE FROM alerts WHERE rule_id = \(bind: id) AND state = 'pending'").run()
            try await db.raw(
                """
                UPDATE alerts SET state = 'resolved', resolved_at = \(bind: Millis.from(now))
                WHERE rule_id = \(bind: id) AND state IN ('firing', 'acknowledged')
                """
            ).run()
            try await db.raw("DELETE FROM alert_rules WHERE id = \(bind: id)").run()
            try await appendAudit(audit, on: db, at: now)
            return true
        }
    }

    private static func ruleNamed(_ name: String, tenantID: String, on db: any SQLDatabase) async throws -> String? {
        try await db.raw("SELECT id FROM alert_rules WHERE tenant_id = \(bind: tenantID) AND name = \(bind: name)").first()?
            .decode(column: "id", as: String.self)
    }

    // MARK: Alerts

    /// The tenant's alerts in the given states (every state but `pending` when empty), newest first.
    public func alerts(tenantID: String, states: Set<AlertState> = [], serverID: String? = nil, limit: Int) async throws -> [AlertRecord] {
        let shown = states.isEmpty ? Set(AlertState.allCases).subtracting([.pending]) : states
        let list = "(\(shown.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")))"
        return try await pool.read(.tenant(tenantID)) { db in
            var query: SQLQueryString = """
                SELECT alerts.*, servers.name AS server_name FROM alerts LEFT JOIN servers ON servers.id = alerts.server_id
                WHERE alerts.tenant_id = \(bind: tenantID) AND alerts.state IN \(unsafeRaw: list)
                """
            if let serverID { query = query + " AND alerts.server_id = \(bind: serverID)" }
            query = query + " ORDER BY alerts.started_at DESC, alerts.id LIMIT \(bind: limit)"
            return try await db.raw(query).all().map(AlertRecord.init(row:))
        }
    }

    public func alert(id: String, tenantID: String) async throws -> AlertRecord? {
        try await pool.read(.tenant(tenantID)) { db in try await Self.alert(id: id, tenantID: tenantID, on: db) }
    }

    /// Acknowledges a firing alert: it stays until its condition clears, and tells no one again.
    /// `nil` when there is no such alert; the alert unchanged when it was not firing.
    public func acknowledgeAlert(
        id: String, tenantID: String, by actor: String, at now: Date, audit: AuditEvent
    ) async throws
        -> AlertRecord?
    {
        try await pool.transaction(.tenant(tenantID)) { db in
            guard let alert = try await Self.alert(id: id, tenantID: tenantID, on: db), alert.state != .pending else { return nil }
            guard alert.state == .firing else { return alert }
            try await db.raw(
                """
                UPDATE alerts SET state = 'acknowledged', acknowledged_at = \(bind: Millis.from(now)), acknowledged_by = \(bind: actor)
                WHERE id = \(bind: id) AND state = 'firing'
                """
            ).run()
            try await appendAudit(audit, on: db, at: now)
            return try await Self.alert(id: id, tenantID: tenantID, on: db)
        }
    }

    private static func alert(id: String, tenantID: String, on db: any SQLDatabase) async throws -> AlertRecord? {
        try await db.raw(
            """
            SELECT alerts.*, servers.name AS server_name FROM alerts LEFT JOIN servers ON servers.id = alerts.server_id
            WHERE alerts.id = \(bind: id) AND alerts.tenant_id = \(bind: tenantID)
            """
        ).first().map(AlertRecord.init(row:))
    }

    // MARK: Evaluation

    /// One evaluation of every tenant's rules, in one transaction: reads what the rules watch, lets
    /// `evaluate` decide, and writes the alert changes with the notifications they cause. When hubs
    /// share PostgreSQL, one of them evaluates at a time: the others get `nil`.
    public func evaluateAlerts(
        now: Date, metricsSince: Date, jobsSince: Date, _ evaluate: @escaping @Sendable (AlertSnapshot) -> [AlertChange]
    ) async throws -> [AlertChange]? {
        let kind = pool.kind
        return try await pool.transaction(.hub) { db in
            if kind == .postgresql {
                let locked = try await db.raw("SELECT pg_try_advisory_xact_lock(\(bind: 727_100_200)) AS locked").first()?
                    .decode(column: "locked", as: Bool.self)
                guard locked == true else { return nil }
            }
            let snapshot = try await Self.alertSnapshot(now: now, metricsSince: metricsSince, jobsSince: jobsSince, on: db)
            var applied: [AlertChange] = []
            for change in evaluate(snapshot) where try await Self.apply(change, on: db) {
                applied.append(change)
            }
            return applied
        }
    }

    private static func alertSnapshot(
        now: Date, metricsSince: Date, jobsSince: Date, on db: any SQLDatabase
    ) async throws
        -> AlertSnapshot
    {
        var snapshot = AlertSnapshot()
        snapshot.rules = try await db.raw("SELECT * FROM alert_rules ORDER BY id").all().map(AlertRuleRecord.init(row:))
        snapshot.openAlerts = try await db.raw(
            """
            SELECT alerts.*, servers.name AS server_name FROM alerts LEFT JOIN servers ON servers.id = alerts.server_id
            WHERE alerts.state IN ('pending', 'firing', 'acknowledged')
            """
        ).all().map(AlertRecord.init(row:))
        guard !snapshot.rules.isEmpty || !snapshot.openAlerts.isEmpty else { return snapshot }
        snapshot.servers = try await db.raw(
            "SELECT id, tenant_id, name, labels, presence, presence_changed_at FROM servers WHERE decommissioned_at IS NULL"
        ).all().map { row in
            AlertSnapshot.Server(
                id: try row.decode(column: "id", as: String.self), tenantID: try row.decode(column: "tenant_id", as: String.self),
                name: try row.decode(column: "name", as: String.self),
                labels: try JSONColumn.decode([String: String].self, from: row.decode(column: "labels", as: String.self)),
                online: try row.decode(column: "presence", as: String.self) == "online",
                presenceChangedAt: try row.decode(column: "presence_changed_at", as: Int64?.self).map(Millis.date))
        }
        let longestCooldown = snapshot.rules.map(\.cooldownSeconds).max() ?? 0
        for row in try await db.raw(
            """
            SELECT rule_id, server_id, MAX(notified_at) AS notified FROM alerts
            WHERE notified_at IS NOT NULL AND notified_at >= \(bind: Millis.from(now.addingTimeInterval(-Double(longestCooldown))))
            GROUP BY rule_id, server_id
            """
        ).all() {
            let key = AlertSnapshot.notifiedKey(
                try row.decode(column: "rule_id", as: String.self), try row.decode(column: "server_id", as: String.self))
            snapshot.lastNotified[key] = Millis.date(try row.decode(column: "notified", as: Int64.self))
        }
        for row in try await db.raw("SELECT id, tenant_id FROM notification_channels").all() {
            snapshot.channels[try row.decode(column: "id", as: String.self)] = try row.decode(column: "tenant_id", as: String.self)
        }
        let enabled = snapshot.rules.filter(\.enabled)
        if enabled.contains(where: { $0.kind == .metric }) {
            let rows = try await db.raw(
                """
                SELECT server_id, bucket, encoding, data FROM metric_samples
                WHERE resolution = 0 AND bucket >= \(bind: Millis.from(metricsSince)) ORDER BY bucket
                """
            ).all()
            let keys = try await Self.keys(of: rows, on: db)
            for row in rows {
                snapshot.latestMetrics[try row.decode(column: "server_id", as: String.self)] = try decode(row, resolution: .raw, keys: keys)
                    .mapValues { $0.sum }
            }
        }
        if enabled.contains(where: { $0.kind == .container }) {
            snapshot.containers = try await allContainers(on: db)
        }
        if enabled.contains(where: { $0.kind == .backup }) {
            let rows = try await db.raw(
                """
                SELECT i.id, i.server_id, i.app_id, i.created_at, i.release,
                    (SELECT MAX(b.finished_at) FROM backups b WHERE b.installation_id = i.id AND b.status IN ('complete', 'pruned')) AS last_success
                FROM installations i WHERE i.status = 'installed'
                """
            ).all()
            for row in rows {
                let release = try row.decode(column: "release", as: String?.self).map { try JSONColumn.decode(AppRelease.self, from: $0) }
                guard let release, release.canBackUp else { continue }
                snapshot.backups[try row.decode(column: "server_id", as: String.self), default: []].append(
                    .init(
                        installationID: try row.decode(column: "id", as: String.self),
                        appID: try row.decode(column: "app_id", as: String.self),
                        installedAt: Millis.date(try row.decode(column: "created_at", as: Int64.self)),
                        lastSuccess: try row.decode(column: "last_success", as: Int64?.self).map(Millis.date)))
            }
        }
        if enabled.contains(where: { $0.kind == .job }) {
            snapshot.jobs = try await db.raw(
                """
                SELECT * FROM jobs WHERE finished_at >= \(bind: Millis.from(jobsSince)) AND status IN \(list(JobRecord.eventfulEnds))
                """
            ).all().map(JobRecord.init(row:))
        }
        return snapshot
    }

    /// Writes one change; `false` when the alert changed under it (acknowledged meanwhile), and
    /// nothing was written.
    private static func apply(_ change: AlertChange, on db: any SQLDatabase) async throws -> Bool {
        let alert = change.alert
        switch change.previous {
        case nil:
            try await db.raw(
                """
                INSERT INTO alerts (id, tenant_id, rule_id, rule_name, kind, server_id, subject, state, value, summary, started_at,
                    fired_at, acknowledged_at, acknowledged_by, resolved_at, notified_at)
                VALUES (\(bind: alert.id), \(bind: alert.tenantID), \(bind: alert.ruleID), \(bind: alert.ruleName), \(bind: alert.kind.rawValue),
                    \(bind: alert.serverID), \(bind: alert.subject), \(bind: alert.state.rawValue), \(bind: alert.value), \(bind: alert.summary),
                    \(bind: Millis.from(alert.startedAt)), \(bind: alert.firedAt.map(Millis.from)), NULL, NULL,
                    \(bind: alert.resolvedAt.map(Millis.from)), \(bind: alert.notifiedAt.map(Millis.from)))
                """
            ).run()
        case .pending? where change.dropped:
            try await db.raw("DELETE FROM alerts WHERE id = \(bind: alert.id) AND state = 'pending'").run()
        case let previous?:
            let updated = try await db.raw(
                """
                UPDATE alerts SET state = \(bind: alert.state.rawValue), value = \(bind: alert.value), summary = \(bind: alert.summary),
                    fired_at = \(bind: alert.firedAt.map(Millis.from)), resolved_at = \(bind: alert.resolvedAt.map(Millis.from)),
                    notified_at = \(bind: alert.notifiedAt.map(Millis.from))
                WHERE id = \(bind: alert.id) AND state = \(bind: previous.rawValue)
                RETURNING id
                """
            ).first()
            guard updated != nil else { return false }
        }
        for delivery in change.deliveries { try await insert(delivery, on: db) }
        return true
    }

    // MARK: Deliveries

    static func insert(_ delivery: DeliveryRecord, on db: any SQLDatabase) async throws {
        let encoder = Wire.makeEncoder()
        try await db.raw(
            """
            INSERT INTO notification_deliveries (id, tenant_id, channel_id, alert_id, event, body, state, attempts, next_attempt_at,
                claimed_until, created_at)
            VALUES (\(bind: delivery.id), \(bind: delivery.tenantID), \(bind: delivery.channelID), \(bind: delivery.alertID),
                \(bind: delivery.event), \(bind: String(decoding: try encoder.encode(delivery.body), as: UTF8.self)),
                \(bind: delivery.state.rawValue), \(bind: String(decoding: try encoder.encode(delivery.attempts), as: UTF8.self)),
                \(bind: delivery.nextAttemptAt.map(Millis.from)), NULL, \(bind: Millis.from(delivery.createdAt)))
            """
        ).run()
    }

    /// Records a delivery that was already attempted (a channel's test).
    public func recordDelivery(_ delivery: DeliveryRecord) async throws {
        try await pool.transaction(.tenant(delivery.tenantID)) { db in try await Self.insert(delivery, on: db) }
    }

    /// Takes up to `limit` deliveries that are due, each with its channel, for `lease` seconds: no
    /// other hub takes them meanwhile, and a hub that dies holding them lets them go when it ends.
    public func claimDeliveries(
        now: Date, lease: TimeInterval, limit: Int
    ) async throws
        -> [(DeliveryRecord, NotificationChannelRecord)]
    {
        let lock = skipLockedRows
        let millis = Millis.from(now)
        return try await pool.transaction(.hub) { db in
            let due = try await db.raw(
                """
                SELECT * FROM notification_deliveries
                WHERE state = 'pending' AND next_attempt_at <= \(bind: millis) AND (claimed_until IS NULL OR claimed_until < \(bind: millis))
                ORDER BY next_attempt_at LIMIT \(bind: limit)\(unsafeRaw: lock)
                """
            ).all().map(DeliveryRecord.init(row:))
            var claimed: [(DeliveryRecord, NotificationChannelRecord)] = []
            for delivery in due {
                try await db.raw(
                    "UPDATE notification_deliveries SET claimed_until = \(bind: Millis.from(now.addingTimeInterval(lease))) WHERE id = \(bind: delivery.id)"
                ).run()
                guard
                    let channel = try await db.raw("SELECT * FROM notification_channels WHERE id = \(bind: delivery.channelID)").first()
                        .map(NotificationChannelRecord.init(row:))
                else { continue }
                claimed.append((delivery, channel))
            }
            return claimed
        }
    }

    /// Stores the outcome of an attempt: its state, attempts and when to try again.
    public func finishDeliveryAttempt(_ delivery: DeliveryRecord) async throws {
        let attempts = String(decoding: try Wire.makeEncoder().encode(delivery.attempts), as: UTF8.self)
        try await pool.transaction(.tenant(delivery.tenantID)) { db in
            try await db.raw(
                """
                UPDATE notification_deliveries SET state = \(bind: delivery.state.rawValue), attempts = \(bind: attempts),
                    next_attempt_at = \(bind: delivery.nextAttemptAt.map(Millis.from)), claimed_until = NULL
                WHERE id = \(bind: delivery.id)
                """
            ).run()
        }
    }

    /// A channel's deliveries, newest first.
    public func deliveries(channelID: String, tenantID: String, limit: Int) async throws -> [DeliveryRecord] {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw(
                """
                SELECT * FROM notification_deliveries WHERE channel_id = \(bind: channelID) AND tenant_id = \(bind: tenantID)
                ORDER BY created_at DESC, id LIMIT \(bind: limit)
                """
            ).all().map(DeliveryRecord.init(row:))
        }
    }
}
