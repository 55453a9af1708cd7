import Foundation
import SQLKit

/// The credentials of one enrolled agent. Its secret is kept only as a hash.
public struct AgentRecord: Sendable, Equatable {
    public var id: String
    public var tenantID: String
    public var serverID: String
    public var secretHash: String
    public var createdAt: Date
    public var revokedAt: Date?

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        serverID = try row.decode(column: "server_id", as: String.self)
        secretHash = try row.decode(column: "secret_hash", as: String.self)
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
        revokedAt = try row.decode(column: "revoked_at", as: Int64?.self).map(Millis.date)
    }
}
