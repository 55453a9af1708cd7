import Foundation
import SQLKit
import StewardCore

extension Store {
    /// Replaces the server's containers with what its agent reports now, and records the events.
    public func replaceContainers(
        serverID: String, tenantID: String, containers: [Wire.Containers.Container], events: [FleetEventRecord], at now: Date
    ) async throws {
        let encoder = Wire.makeEncoder()
        try await pool.transaction(.tenant(tenantID)) { db in
            try await db.raw("DELETE FROM containers WHERE server_id = \(bind: serverID) AND tenant_id = \(bind: tenantID)").run()
            for container in containers {
                try await db.raw(
                    """
                    INSERT INTO containers (server_id, tenant_id, container_id, name, state, data)
                    VALUES (\(bind: serverID), \(bind: tenantID), \(bind: container.id), \(bind: container.name), \(bind: container.state),
                        \(bind: String(decoding: try encoder.encode(container), as: UTF8.self)))
                    ON CONFLICT DO NOTHING
                    """
                ).run()
            }
            try await db.raw(
                "UPDATE servers SET containers_reported_at = \(bind: Millis.from(now)) WHERE id = \(bind: serverID) AND tenant_id = \(bind: tenantID)"
            ).run()
            for event in events { try await Self.record(event, on: db) }
        }
    }

    /// The server's containers by name, and when they were reported; `nil` when there is no such server.
    public func containers(serverID: String, tenantID: String) async throws -> Wire.Containers.List? {
        try await pool.read(.tenant(tenantID)) { db in
            guard
                let server = try await db.raw(
                    "SELECT containers_reported_at FROM servers WHERE id = \(bind: serverID) AND tenant_id = \(bind: tenantID) AND decommissioned_at IS NULL"
                ).first()
            else { return nil }
            let items = try await db.raw(
                "SELECT data FROM containers WHERE server_id = \(bind: serverID) AND tenant_id = \(bind: tenantID) ORDER BY name, container_id"
            ).all().map { try Self.container($0) }
            return Wire.Containers.List(
                items: items, reportedAt: try server.decode(column: "containers_reported_at", as: Int64?.self).map(Millis.date))
        }
    }

    static func container(_ row: any SQLRow) throws -> Wire.Containers.Container {
        try Wire.makeDecoder().decode(Wire.Containers.Container.self, from: Data(try row.decode(column: "data", as: String.self).utf8))
    }

    /// Every server's containers, for the alert evaluation, by server id.
    static func allContainers(on db: any SQLDatabase) async throws -> [String: [Wire.Containers.Container]] {
        var byServer: [String: [Wire.Containers.Container]] = [:]
        for row in try await db.raw("SELECT server_id, data FROM containers").all() {
            byServer[try row.decode(column: "server_id", as: String.self), default: []].append(try container(row))
        }
        return byServer
    }
}
