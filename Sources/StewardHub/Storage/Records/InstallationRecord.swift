import Foundation
import SQLKit
import StewardCore

/// An app installed on a server, with the inputs it was installed with (secrets sealed for as long
/// as it is installed) and what its install wrote to `$STEWARD_OUTPUT`.
public struct InstallationRecord: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case installing, installed, upgrading, failed, removed
    }

    public var id: String
    public var tenantID: String
    public var serverID: String
    public var appID: String
    /// The version installed; `nil` until the first install succeeded.
    public var version: String?
    public var status: Status
    /// Non-secret input values by environment name, as the last successful install or upgrade had them.
    public var inputs: [String: String]
    public var secretNames: [String]
    public var sealedSecrets: String?
    /// Outputs, secret ones masked; their values are in `sealedOutputs`.
    public var outputs: [String: String]
    public var sealedOutputs: String?
    /// The installed version's scripts and backup paths; `nil` until the first install succeeded.
    public var release: AppRelease?
    /// The install, upgrade, reconfigure, uninstall or restore running on it: one at a time.
    public var activeJobID: String?
    /// The secret inputs of the active job, which become the installation's when it succeeds.
    public var pendingSealedSecrets: String?
    public var lastJobID: String?
    public var lastHealth: Wire.Installations.Health?
    /// 0 when health checks are off.
    public var healthIntervalSeconds: Int
    public var nextHealthAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public static let defaultHealthInterval = 300

    public init(id: String, tenantID: String, serverID: String, appID: String, createdAt: Date) {
        self.id = id
        self.tenantID = tenantID
        self.serverID = serverID
        self.appID = appID
        self.status = .installing
        self.inputs = [:]
        self.secretNames = []
        self.outputs = [:]
        self.healthIntervalSeconds = Self.defaultHealthInterval
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        serverID = try row.decode(column: "server_id", as: String.self)
        appID = try row.decode(column: "app_id", as: String.self)
        version = try row.decode(column: "version", as: String?.self)
        let statusText = try row.decode(column: "status", as: String.self)
        guard let status = Status(rawValue: statusText) else { throw StoreError("installation \(id) has unknown status \(statusText)") }
        self.status = status
        inputs = try JSONColumn.decode([String: String].self, from: row.decode(column: "inputs", as: String.self))
        secretNames = try JSONColumn.decode([String].self, from: row.decode(column: "secret_names", as: String.self))
        sealedSecrets = try row.decode(column: "sealed_secrets", as: String?.self)
        outputs = try JSONColumn.decode([String: String].self, from: row.decode(column: "outputs", as: String.self))
        sealedOutputs = try row.decode(column: "sealed_outputs", as: String?.self)
        release = try row.decode(column: "release", as: String?.self).map { try JSONColumn.decode(AppRelease.self, from: $0) }
        activeJobID = try row.decode(column: "active_job_id", as: String?.self)
        pendingSealedSecrets = try row.decode(column: "pending_sealed_secrets", as: String?.self)
        lastJobID = try row.decode(column: "last_job_id", as: String?.self)
        lastHealth = try row.decode(column: "last_health", as: String?.self).map {
            try JSONColumn.decode(Wire.Installations.Health.self, from: $0)
        }
        healthIntervalSeconds = try row.decode(column: "health_interval_seconds", as: Int.self)
        nextHealthAt = try row.decode(column: "next_health_at", as: Int64?.self).map(Millis.date)
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
        updatedAt = Millis.date(try row.decode(column: "updated_at", as: Int64.self))
    }

    /// As lists show it; `available` is the catalog's version of the app, if it has it.
    public func wire(available: String?) -> Wire.Installations.Item {
        var shown = inputs
        for name in secretNames { shown[name] = SecretMasker.mask }
        return .init(
            id: id, serverID: serverID, appID: appID, version: version, status: status.rawValue,
            upgradeAvailable: version != nil && available != nil && available != version, availableVersion: available,
            lastHealth: lastHealth, inputs: shown, outputs: outputs, activeJobID: activeJobID, lastJobID: lastJobID,
            healthIntervalSeconds: healthIntervalSeconds, createdAt: createdAt, updatedAt: updatedAt)
    }
}
