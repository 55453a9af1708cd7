import Foundation
import HTTPTypes
import SQLKit
import StewardCore
import StewardHub

/// An instance as stored: what the admin API shows, and the digests of its keys.
package struct InstanceRecord: Sendable {
    package var instance: Wire.Licensing.Instance
    /// `active`, `suspended` or `deleted`: expiry is not stored, it is read against the clock.
    package var storedState: Wire.Licensing.State
    package var licenseLookup: String
    package var licenseHash: String
    package var hubKeyHash: String?
    package var updatedAt: Date

    package init(row: any SQLRow) throws {
        let stored = try Wire.Licensing.State(rawValue: row.decode(column: "state", as: String.self)) ?? .suspended
        let expiresAt = try row.decode(column: "expires_at", as: Int64?.self).map(Millis.date)
        instance = Wire.Licensing.Instance(
            id: try row.decode(column: "id", as: String.self),
            clientID: try row.decode(column: "client_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            state: stored,
            entitlements: .init(
                maxServers: try row.decode(column: "max_servers", as: Int?.self),
                maxUsers: try row.decode(column: "max_users", as: Int?.self),
                expiresAt: expiresAt,
                features: try JSONColumn.decode([String].self, from: row.decode(column: "features", as: String.self))),
            fingerprint: try row.decode(column: "fingerprint", as: String?.self),
            moveAllowed: try row.decode(column: "move_allowed", as: Bool.self),
            activatedAt: try row.decode(column: "activated_at", as: Int64?.self).map(Millis.date),
            lastTelemetryAt: try row.decode(column: "last_telemetry_at", as: Int64?.self).map(Millis.date),
            version: try row.decode(column: "version", as: String?.self),
            createdAt: Millis.date(try row.decode(column: "created_at", as: Int64.self)))
        storedState = stored
        licenseLookup = try row.decode(column: "license_lookup", as: String.self)
        licenseHash = try row.decode(column: "license_hash", as: String.self)
        hubKeyHash = try row.decode(column: "hub_key_hash", as: String?.self)
        updatedAt = Millis.date(try row.decode(column: "updated_at", as: Int64.self))
    }

    /// The instance as it stands at `now`: an active license past its date is `expired`.
    package func instance(at now: Date) -> Wire.Licensing.Instance {
        var instance = self.instance
        if storedState == .active, let expiresAt = instance.entitlements.expiresAt, expiresAt <= now { instance.state = .expired }
        return instance
    }
}
