import Foundation
import SQLKit
import StewardCore

/// One record of the audit log: who did what to which target, from where. Never a secret value.
public struct AuditEvent: Sendable, Equatable {
    public var tenantID: String
    /// The operator's e-mail, or `registration-token:<id>` for an enrollment.
    public var actor: String
    /// Dotted, past-tense-free verbs: `registration_token.create`, `server.decommission`.
    public var action: String
    /// `kind:id`, e.g. `server:3f2a…`.
    public var target: String
    public var detail: [String: String]
    public var sourceAddress: String

    public init(
        tenantID: String, actor: String, action: String, target: String, detail: [String: String] = [:],
        sourceAddress: String
    ) {
        self.tenantID = tenantID
        self.actor = actor
        self.action = action
        self.target = target
        self.detail = detail
        self.sourceAddress = sourceAddress
    }

    static func entry(row: any SQLRow) throws -> Wire.Audit.Entry {
        .init(
            id: try row.decode(column: "id", as: Int64.self),
            actor: try row.decode(column: "actor", as: String.self),
            action: try row.decode(column: "action", as: String.self),
            target: try row.decode(column: "target", as: String.self),
            detail: try JSONColumn.decode([String: String].self, from: row.decode(column: "detail", as: String.self)),
            sourceAddress: try row.decode(column: "source_address", as: String.self),
            createdAt: Millis.date(try row.decode(column: "created_at", as: Int64.self))
        )
    }
}
