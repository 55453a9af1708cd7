import Foundation
import SQLKit
import StewardCore

/// Something that happened in a tenant's fleet, kept for the events page and API.
public struct FleetEventRecord: Sendable, Equatable {
    public enum Severity: String, Sendable {
        case info, warning, critical
    }

    public var id: String
    public var tenantID: String
    public var serverID: String?
    public var jobID: String?
    /// `server.offline`, `server.online`, `job.failed`, `job.dead`, `job.needs_attention`,
    /// `job.timed_out`, `container.died`, `container.oom`, `container.restarting`,
    /// `container.unhealthy`, `disk.almost_full`, `log.matched`, `log_rule.disabled`.
    public var kind: String
    public var severity: Severity
    public var message: String
    /// Makes recording the same happening twice (a retried save, two hubs) keep one event.
    public var dedupeKey: String?
    public var createdAt: Date

    public init(
        tenantID: String, serverID: String?, jobID: String? = nil, kind: String, severity: Severity, message: String,
        dedupeKey: String? = nil, at: Date
    ) {
        self.id = UUID().uuidString.lowercased()
        self.tenantID = tenantID
        self.serverID = serverID
        self.jobID = jobID
        self.kind = kind
        self.severity = severity
        self.message = message
        self.dedupeKey = dedupeKey
        self.createdAt = at
    }

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        serverID = try row.decode(column: "server_id", as: String?.self)
        jobID = try row.decode(column: "job_id", as: String?.self)
        kind = try row.decode(column: "kind", as: String.self)
        severity = Severity(rawValue: try row.decode(column: "severity", as: String.self)) ?? .info
        message = try row.decode(column: "message", as: String.self)
        dedupeKey = try row.decode(column: "dedupe_key", as: String?.self)
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
    }

    public var wire: Wire.Alerting.FleetEvent {
        .init(id: id, kind: kind, severity: severity.rawValue, serverID: serverID, jobID: jobID, message: message, at: createdAt)
    }
}
