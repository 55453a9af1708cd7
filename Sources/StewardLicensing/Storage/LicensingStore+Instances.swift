import Foundation
import HTTPTypes
import SQLKit
import StewardCore
import StewardHub

extension LicensingStore {
    package func insertInstance(_ instance: Wire.Licensing.Instance, license: SecretToken.Digest) async throws {
        try await pool.transaction(.hub) { db in
            let entitlements = instance.entitlements
            try await db.raw(
                """
                INSERT INTO instances (id, client_id, name, state, max_servers, max_users, expires_at, features, license_lookup,
                    license_hash, hub_key_hash, fingerprint, move_allowed, activated_at, last_telemetry_at, version, created_at, updated_at)
                VALUES (\(bind: instance.id), \(bind: instance.clientID), \(bind: instance.name), \(bind: instance.state.rawValue),
                        \(bind: entitlements.maxServers), \(bind: entitlements.maxUsers), \(bind: entitlements.expiresAt.map(Millis.from)),
                        \(bind: JSONColumn.encode(entitlements.features)), \(bind: license.lookupKey), \(bind: license.hash), NULL, NULL,
                        \(bind: false), NULL, NULL, NULL, \(bind: Millis.from(instance.createdAt)), \(bind: Millis.from(instance.createdAt)))
                """
            ).run()
        }
    }

    /// The instances of one client, oldest first, deleted ones included.
    package func instances(clientID: String) async throws -> [InstanceRecord] {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT * FROM instances WHERE client_id = \(bind: clientID) ORDER BY created_at, id").all()
                .map(InstanceRecord.init(row:))
        }
    }

    /// Every instance that is not deleted, for the console.
    package func liveInstances() async throws -> [InstanceRecord] {
        try await pool.read(.hub) { db in
            try await db.raw(
                "SELECT * FROM instances WHERE state <> \(bind: Wire.Licensing.State.deleted.rawValue) ORDER BY client_id, created_at, id"
            ).all().map(InstanceRecord.init(row:))
        }
    }

    package func instance(id: String) async throws -> InstanceRecord? {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT * FROM instances WHERE id = \(bind: id)").first().map(InstanceRecord.init(row:))
        }
    }

    package func instance(licenseLookup: String) async throws -> InstanceRecord? {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT * FROM instances WHERE license_lookup = \(bind: licenseLookup)").first().map(InstanceRecord.init(row:))
        }
    }

    /// One change to an instance's license row.
    package enum InstanceChange: Sendable {
        case license(SecretToken.Digest)
        /// A new telemetry key (its SHA-256), or none.
        case hubKey(hash: String?)
        case state(Wire.Licensing.State)
        case moveAllowed
        /// A new name and what the license allows.
        case terms(name: String, Wire.Licensing.Entitlements)
        /// A successful activation: who activated, with which version, and the telemetry key it got.
        case activated(fingerprint: String, version: String, hubKeyHash: String)
    }

    /// Applies `change` to a live instance (deleting takes its telemetry key too); `false` when there
    /// is no live instance `id`.
    @discardableResult
    package func changeInstance(id: String, _ change: InstanceChange, at now: Date) async throws -> Bool {
        let at = Millis.from(now)
        let assignments: SQLQueryString =
            switch change {
            case .license(let digest): "license_lookup = \(bind: digest.lookupKey), license_hash = \(bind: digest.hash)"
            case .hubKey(let hash): "hub_key_hash = \(bind: hash)"
            case .state(.deleted): "state = \(bind: Wire.Licensing.State.deleted.rawValue), hub_key_hash = NULL"
            case .state(let state): "state = \(bind: state.rawValue)"
            case .moveAllowed: "move_allowed = \(bind: true)"
            case .terms(let name, let entitlements):
                """
                name = \(bind: name), max_servers = \(bind: entitlements.maxServers), max_users = \(bind: entitlements.maxUsers),
                expires_at = \(bind: entitlements.expiresAt.map(Millis.from)), features = \(bind: try JSONColumn.encode(entitlements.features))
                """
            case .activated(let fingerprint, let version, let hubKeyHash):
                """
                fingerprint = \(bind: fingerprint), version = \(bind: version), hub_key_hash = \(bind: hubKeyHash),
                move_allowed = \(bind: false), activated_at = \(bind: at)
                """
            }
        return try await pool.transaction(.hub) { db in
            let deleted = Wire.Licensing.State.deleted.rawValue
            guard try await db.raw("SELECT id FROM instances WHERE id = \(bind: id) AND state <> \(bind: deleted)").first() != nil else {
                return false
            }
            try await db.raw("UPDATE instances SET \(assignments), updated_at = \(bind: at) WHERE id = \(bind: id)").run()
            return true
        }
    }
}
