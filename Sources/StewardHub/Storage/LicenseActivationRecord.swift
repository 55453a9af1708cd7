import Foundation
import SQLKit
import StewardCore

/// What a licensed hub keeps of its activation: the instance it is, its telemetry key (sealed with
/// the hub's master key), and the license as last heard.
public struct LicenseActivationRecord: Sendable, Equatable {
    /// SHA-256 of the license key this activation was made with: a new key means a new activation.
    public var licenseKeyHash: String
    public var instanceID: String
    public var sealedHubKey: String
    public var state: Wire.Licensing.State
    public var entitlements: Wire.Licensing.Entitlements
    public var activatedAt: Date
    /// When the license service last told the hub where the license stands.
    public var checkedAt: Date

    public init(
        licenseKeyHash: String, instanceID: String, sealedHubKey: String, state: Wire.Licensing.State,
        entitlements: Wire.Licensing.Entitlements, activatedAt: Date, checkedAt: Date
    ) {
        self.licenseKeyHash = licenseKeyHash
        self.instanceID = instanceID
        self.sealedHubKey = sealedHubKey
        self.state = state
        self.entitlements = entitlements
        self.activatedAt = activatedAt
        self.checkedAt = checkedAt
    }

    init(row: any SQLRow) throws {
        licenseKeyHash = try row.decode(column: "license_key_hash", as: String.self)
        instanceID = try row.decode(column: "instance_id", as: String.self)
        sealedHubKey = try row.decode(column: "sealed_hub_key", as: String.self)
        state = Wire.Licensing.State(rawValue: try row.decode(column: "state", as: String.self)) ?? .suspended
        entitlements = try JSONColumn.decode(Wire.Licensing.Entitlements.self, from: row.decode(column: "entitlements", as: String.self))
        activatedAt = Millis.date(try row.decode(column: "activated_at", as: Int64.self))
        checkedAt = Millis.date(try row.decode(column: "checked_at", as: Int64.self))
    }
}

/// One telemetry window waiting in the outbox (or sent).
public struct TelemetryOutboxRecord: Sendable, Equatable {
    public var windowStart: Date
    public var windowEnd: Date
    /// The window as it will be sent: already through the allow-list.
    public var body: String
    public var attempts: Int
    public var nextAttemptAt: Date
    public var sentAt: Date?

    init(row: any SQLRow) throws {
        windowStart = Millis.date(try row.decode(column: "window_start", as: Int64.self))
        windowEnd = Millis.date(try row.decode(column: "window_end", as: Int64.self))
        body = try row.decode(column: "body", as: String.self)
        attempts = try row.decode(column: "attempts", as: Int.self)
        nextAttemptAt = Millis.date(try row.decode(column: "next_attempt_at", as: Int64.self))
        sentAt = try row.decode(column: "sent_at", as: Int64?.self).map(Millis.date)
    }
}
