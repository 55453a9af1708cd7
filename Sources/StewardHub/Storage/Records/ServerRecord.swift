import Foundation
import SQLKit
import StewardCore

/// An enrolled server.
public struct ServerRecord: Sendable, Equatable {
    public var id: String
    public var tenantID: String
    public var name: String
    public var hostname: String
    public var labels: [String: String]
    public var facts: Wire.Facts
    public var agentVersion: String
    public var registrationTokenID: String?
    public var enrolledAt: Date
    public var lastSeenAt: Date?
    public var decommissionedAt: Date?

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        name = try row.decode(column: "name", as: String.self)
        hostname = try row.decode(column: "hostname", as: String.self)
        labels = try JSONColumn.decode([String: String].self, from: row.decode(column: "labels", as: String.self))
        facts = try JSONColumn.decode(Wire.Facts.self, from: row.decode(column: "facts", as: String.self))
        agentVersion = try row.decode(column: "agent_version", as: String.self)
        registrationTokenID = try row.decode(column: "registration_token_id", as: String?.self)
        enrolledAt = Millis.date(try row.decode(column: "enrolled_at", as: Int64.self))
        lastSeenAt = try row.decode(column: "last_seen_at", as: Int64?.self).map(Millis.date)
        decommissionedAt = try row.decode(column: "decommissioned_at", as: Int64?.self).map(Millis.date)
    }

    /// Online while heartbeats arrive; offline after three missed intervals.
    public func status(at now: Date, heartbeatInterval: Int) -> Wire.Server.Status {
        guard let lastSeenAt else { return .offline }
        return now.timeIntervalSince(lastSeenAt) <= Double(3 * heartbeatInterval) ? .online : .offline
    }

    public func info(at now: Date, heartbeatInterval: Int) -> Wire.Server.Info {
        .init(
            id: id, name: name, hostname: hostname, labels: labels, facts: facts, agentVersion: agentVersion,
            status: status(at: now, heartbeatInterval: heartbeatInterval), lastSeenAt: lastSeenAt, enrolledAt: enrolledAt)
    }

    /// The stored event of the server going offline or coming back.
    func presenceEvent(online: Bool, at now: Date) -> FleetEventRecord {
        online
            ? FleetEventRecord(
                tenantID: tenantID, serverID: id, kind: "server.online", severity: .info, message: "\(name) is back online", at: now)
            : FleetEventRecord(
                tenantID: tenantID, serverID: id, kind: "server.offline", severity: .warning,
                message: "\(name) stopped sending heartbeats and is offline", at: now)
    }

    public func event(_ kind: Wire.Event.Kind, at now: Date = Date()) -> Wire.Event {
        Wire.Event(kind: kind, at: now, tenantID: tenantID, serverID: id)
    }
}
