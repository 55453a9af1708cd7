import Foundation
import SQLKit
import StewardCore

/// An archive of an installation on its server, made by a `backup` step: a backup, or the snapshot
/// an upgrade takes first. Created `pending` with its job; the job's result completes it.
public struct BackupRecord: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case snapshot, manual, scheduled
    }

    public enum Status: String, Sendable, CaseIterable {
        case pending, complete, failed
        /// Rotation removed it from the server.
        case pruned
    }

    public var id: String
    public var tenantID: String
    public var installationID: String
    public var serverID: String
    public var kind: Kind
    public var status: Status = .pending
    public var jobID: String
    public var appVersion: String
    /// The paths it holds, which a restore puts back.
    public var paths: [String]
    /// Whether the app's `backup` script dumped data into it (its `restore` script loads it).
    public var hasDump: Bool
    public var path: String?
    public var sizeBytes: Int64?
    public var sha256: String?
    public var durationMS: Int64?
    public var error: String?
    public var createdAt: Date
    public var finishedAt: Date?

    public init(
        id: String, tenantID: String, installationID: String, serverID: String, kind: Kind, jobID: String, appVersion: String,
        paths: [String], hasDump: Bool, createdAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.installationID = installationID
        self.serverID = serverID
        self.kind = kind
        self.jobID = jobID
        self.appVersion = appVersion
        self.paths = paths
        self.hasDump = hasDump
        self.createdAt = createdAt
    }

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        installationID = try row.decode(column: "installation_id", as: String.self)
        serverID = try row.decode(column: "server_id", as: String.self)
        let kindText = try row.decode(column: "kind", as: String.self)
        let statusText = try row.decode(column: "status", as: String.self)
        guard let kind = Kind(rawValue: kindText), let status = Status(rawValue: statusText) else {
            throw StoreError("backup \(id) has unknown kind \(kindText) or status \(statusText)")
        }
        self.kind = kind
        self.status = status
        jobID = try row.decode(column: "job_id", as: String.self)
        appVersion = try row.decode(column: "app_version", as: String.self)
        paths = try JSONColumn.decode([String].self, from: row.decode(column: "paths", as: String.self))
        hasDump = try row.decode(column: "has_dump", as: Bool.self)
        path = try row.decode(column: "path", as: String?.self)
        sizeBytes = try row.decode(column: "size_bytes", as: Int64?.self)
        sha256 = try row.decode(column: "sha256", as: String?.self)
        durationMS = try row.decode(column: "duration_ms", as: Int64?.self)
        error = try row.decode(column: "error", as: String?.self)
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
        finishedAt = try row.decode(column: "finished_at", as: Int64?.self).map(Millis.date)
    }

    public var wire: Wire.Installations.Backup {
        .init(
            id: id, installationID: installationID, kind: kind.rawValue, status: status.rawValue, jobID: jobID, appVersion: appVersion,
            paths: paths, sizeBytes: sizeBytes, sha256: sha256, durationMS: durationMS, error: error, createdAt: createdAt,
            finishedAt: finishedAt)
    }
}
