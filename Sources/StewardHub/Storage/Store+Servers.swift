import Foundation
import SQLKit
import StewardCore

extension Store {
    /// The tenant's servers that have not been decommissioned, by name.
    public func servers(tenantID: String) async throws -> [ServerRecord] {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw(
                """
                SELECT * FROM servers WHERE tenant_id = \(bind: tenantID) AND decommissioned_at IS NULL
                ORDER BY name, id
                """
            ).all().map(ServerRecord.init(row:))
        }
    }

    public func server(id: String, tenantID: String) async throws -> ServerRecord? {
        try await pool.read(.tenant(tenantID)) { db in
            try await Self.activeServer(id: id, tenantID: tenantID, on: db)
        }
    }

    /// Renames a server and/or changes its labels. `nil` when there is no such (active) server.
    public func updateServer(
        id: String, tenantID: String, name: String?, labels: [String: String]?, at now: Date, audit: AuditEvent
    ) async throws -> ServerRecord? {
        try await pool.transaction(.tenant(tenantID)) { db in
            guard var server = try await Self.activeServer(id: id, tenantID: tenantID, on: db) else { return nil }
            if let name { server.name = name }
            if let labels { server.labels = labels }
            try await db.raw(
                "UPDATE servers SET name = \(bind: server.name), labels = \(bind: JSONColumn.encode(server.labels)) WHERE id = \(bind: id)"
            ).run()
            try await appendAudit(audit, on: db, at: now)
            return server
        }
    }

    /// Decommissions a server, revokes its agent and cancels its unfinished jobs, in one transaction.
    /// Returns the cancelled jobs, or `nil` when there is no such server.
    public func decommissionServer(id: String, tenantID: String, at now: Date, audit: AuditEvent) async throws -> [JobRecord]? {
        try await pool.transaction(.tenant(tenantID)) { db in
            guard try await Self.activeServer(id: id, tenantID: tenantID, on: db) != nil else { return nil }
            let millis = Millis.from(now)
            try await db.raw("UPDATE servers SET decommissioned_at = \(bind: millis) WHERE id = \(bind: id)").run()
            try await db.raw(
                "UPDATE agents SET revoked_at = \(bind: millis) WHERE server_id = \(bind: id) AND revoked_at IS NULL"
            ).run()
            let open = try await db.raw(
                "SELECT * FROM jobs WHERE server_id = \(bind: id) AND status IN \(Self.list(Wire.Job.Status.open))"
            ).all().map(JobRecord.init(row:))
            var cancelled: [JobRecord] = []
            for var job in open {
                _ = JobLifecycle.cancel(&job, reason: "the server was decommissioned", now: now)
                try await Self.save(&job, on: db)
                cancelled.append(job)
            }
            try await appendAudit(audit, on: db, at: now)
            return cancelled
        }
    }

    public func agent(id: String) async throws -> AgentRecord? {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT * FROM agents WHERE id = \(bind: id)").first().map(AgentRecord.init(row:))
        }
    }

    /// Marks the agent's server as seen now and stores its new facts when given (leases are renewed
    /// apart, per attempt: ``renewLeases(serverID:attempts:until:)``). Returns whether the server was
    /// offline until now.
    @discardableResult
    public func recordHeartbeat(serverID: String, facts: Wire.Facts?, at now: Date) async throws -> Bool {
        let millis = Millis.from(now)
        return try await pool.read(.hub) { db in
            if let facts {
                try await db.raw(
                    """
                    UPDATE servers SET last_seen_at = \(bind: millis), facts = \(bind: JSONColumn.encode(facts)),
                        agent_version = \(bind: facts.agentVersion)
                    WHERE id = \(bind: serverID)
                    """
                ).run()
            } else {
                // The common case, an online server's keep-alive, is this one statement.
                let online = try await db.raw(
                    "UPDATE servers SET last_seen_at = \(bind: millis) WHERE id = \(bind: serverID) AND presence = 'online' RETURNING id"
                ).first()
                if online != nil { return false }
                try await db.raw("UPDATE servers SET last_seen_at = \(bind: millis) WHERE id = \(bind: serverID)").run()
            }
            guard
                let back = try await db.raw(
                    """
                    UPDATE servers SET presence = 'online', presence_changed_at = \(bind: millis)
                    WHERE id = \(bind: serverID) AND presence = 'offline' RETURNING *
                    """
                ).first().map(ServerRecord.init(row:))
            else { return false }
            try await Self.record(back.presenceEvent(online: true, at: now), on: db)
            return true
        }
    }

    /// Marks many servers as seen at `now` in one transaction, and those that were offline as online
    /// again (recording a `server.online` event each, and returning them): the batched form of
    /// ``recordHeartbeat(serverID:facts:at:)`` for keep-alives that bring nothing else.
    public func recordHeartbeats(serverIDs: [String], at now: Date) async throws -> [ServerRecord] {
        guard !serverIDs.isEmpty else { return [] }
        let millis = Millis.from(now)
        return try await pool.transaction(.hub) { db in
            var back: [ServerRecord] = []
            // Well under every database's limit of bound values per statement.
            for start in stride(from: 0, to: serverIDs.count, by: 500) {
                let ids: [any Encodable & Sendable] = Array(serverIDs[start..<min(start + 500, serverIDs.count)])
                try await db.raw("UPDATE servers SET last_seen_at = \(bind: millis) WHERE id IN (\(binds: ids))").run()
                back += try await db.raw(
                    """
                    UPDATE servers SET presence = 'online', presence_changed_at = \(bind: millis)
                    WHERE id IN (\(binds: ids)) AND presence = 'offline' RETURNING *
                    """
                ).all().map(ServerRecord.init(row:))
            }
            for server in back { try await Self.record(server.presenceEvent(online: true, at: now), on: db) }
            return back
        }
    }

    /// Marks servers not seen since `cutoff` offline as of `now`, records a `server.offline` event
    /// for each and returns them. Each transition is returned by exactly one caller, however many
    /// hubs sweep at once.
    public func markSilentServersOffline(cutoff: Date, at now: Date) async throws -> [ServerRecord] {
        try await pool.transaction(.hub) { db in
            let servers = try await db.raw(
                """
                UPDATE servers SET presence = 'offline', presence_changed_at = \(bind: Millis.from(now))
                WHERE presence = 'online' AND (last_seen_at IS NULL OR last_seen_at < \(bind: Millis.from(cutoff)))
                RETURNING *
                """
            ).all().map(ServerRecord.init(row:))
            for server in servers { try await Self.record(server.presenceEvent(online: false, at: now), on: db) }
            return servers
        }
    }

    private static func activeServer(id: String, tenantID: String, on db: any SQLDatabase) async throws -> ServerRecord? {
        try await db.raw(
            "SELECT * FROM servers WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID) AND decommissioned_at IS NULL"
        ).first().map(ServerRecord.init(row:))
    }
}

extension Store {
    /// Counts for the hub's `/metrics`: jobs by status, jobs due to run, servers enrolled and online.
    public func fleetCounts(now: Date) async throws -> (jobsByStatus: [String: Int], due: Int, servers: Int, online: Int) {
        try await pool.read(.hub) { db in
            var byStatus: [String: Int] = [:]
            for row in try await db.raw("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status").all() {
                byStatus[try row.decode(column: "status", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
            let due =
                try await db.raw(
                    "SELECT COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'retrying') AND next_run_at <= \(bind: Millis.from(now))"
                ).first()?.decode(column: "n", as: Int.self) ?? 0
            let servers = try await db.raw(
                """
                SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN presence = 'online' THEN 1 ELSE 0 END), 0) AS online
                FROM servers WHERE decommissioned_at IS NULL
                """
            ).first()
            return (
                byStatus, due, try servers?.decode(column: "n", as: Int.self) ?? 0, try servers?.decode(column: "online", as: Int.self) ?? 0
            )
        }
    }
}
