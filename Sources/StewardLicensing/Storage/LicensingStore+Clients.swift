import Foundation
import HTTPTypes
import SQLKit
import StewardCore
import StewardHub

extension LicensingStore {
    package func insertClient(_ client: Wire.Licensing.Client) async throws {
        try await pool.transaction(.hub) { db in
            try await db.raw(
                """
                INSERT INTO clients (id, name, contact_email, notes, created_at, updated_at, deleted_at)
                VALUES (\(bind: client.id), \(bind: client.name), \(bind: client.contactEmail), \(bind: client.notes),
                        \(bind: Millis.from(client.createdAt)), \(bind: Millis.from(client.updatedAt)), NULL)
                """
            ).run()
        }
    }

    /// Every client not deleted, by name.
    package func clients() async throws -> [Wire.Licensing.Client] {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT * FROM clients WHERE deleted_at IS NULL ORDER BY name, id").all().map(Self.client(row:))
        }
    }

    package func client(id: String) async throws -> Wire.Licensing.Client? {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT * FROM clients WHERE id = \(bind: id) AND deleted_at IS NULL").first().map(Self.client(row:))
        }
    }

    package func updateClient(_ client: Wire.Licensing.Client) async throws {
        try await pool.transaction(.hub) { db in
            try await db.raw(
                """
                UPDATE clients SET name = \(bind: client.name), contact_email = \(bind: client.contactEmail), notes = \(bind: client.notes),
                    updated_at = \(bind: Millis.from(client.updatedAt))
                WHERE id = \(bind: client.id) AND deleted_at IS NULL
                """
            ).run()
        }
    }

    /// Deletes a client and every instance of it: their licenses and telemetry keys stop working at
    /// once. The rows stay, marked deleted, so an old key is refused as deleted rather than unknown.
    /// Returns whether there was such a client.
    package func deleteClient(id: String, at now: Date) async throws -> Bool {
        try await pool.transaction(.hub) { db in
            guard try await db.raw("SELECT id FROM clients WHERE id = \(bind: id) AND deleted_at IS NULL").first() != nil else {
                return false
            }
            let at = Millis.from(now)
            try await db.raw("UPDATE clients SET deleted_at = \(bind: at), updated_at = \(bind: at) WHERE id = \(bind: id)").run()
            try await db.raw(
                """
                UPDATE instances SET state = \(bind: Wire.Licensing.State.deleted.rawValue), hub_key_hash = NULL, updated_at = \(bind: at)
                WHERE client_id = \(bind: id)
                """
            ).run()
            return true
        }
    }

    private static func client(row: any SQLRow) throws -> Wire.Licensing.Client {
        Wire.Licensing.Client(
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            contactEmail: try row.decode(column: "contact_email", as: String?.self),
            notes: try row.decode(column: "notes", as: String?.self),
            createdAt: Millis.date(try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Millis.date(try row.decode(column: "updated_at", as: Int64.self)))
    }
}
