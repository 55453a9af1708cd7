import Foundation
import SQLKit
import StewardCore

/// One version of a file on a server, as config history keeps it: the real content sealed, a
/// masked rendering in the clear (for diffs and the git export), and who changed it and how.
public struct ConfigVersionRecord: Sendable, Equatable {
    public enum Source: String, Sendable, CaseIterable {
        case fileWrite = "file.write"
        case envSet = "env.set"
        /// An app's declared config file, read back after its install or upgrade script.
        case app
        /// The drift check found the file changed outside Steward.
        case drift
    }

    /// Versions kept per server and path; older ones are dropped as new ones come.
    public static let keptPerPath = 100
    /// Who a drift version is attributed to.
    public static let outsideSteward = "outside Steward"

    public var id: String
    public var tenantID: String
    public var serverID: String
    public var path: String
    public var sha256: String
    public var size: Int64
    public var deleted: Bool
    public var secret: Bool
    public var appID: String?
    public var source: Source
    public var jobID: String?
    public var author: String
    /// What the file holds with secret-looking values masked (or a line saying why it is not
    /// shown); `nil` for a deleted file.
    public var maskedContent: String?
    /// The real content, sealed with the master key; `nil` when the file was too large to keep.
    public var sealedContent: String?
    /// Orders a server's versions (several may share a millisecond).
    public var sequence: Int64 = 0
    public var createdAt: Date

    public init(
        tenantID: String, serverID: String, path: String, sha256: String, size: Int64, deleted: Bool, secret: Bool, appID: String?,
        source: Source, jobID: String?, author: String, maskedContent: String?, sealedContent: String?, createdAt: Date
    ) {
        self.id = UUID().uuidString.lowercased()
        self.tenantID = tenantID
        self.serverID = serverID
        self.path = path
        self.sha256 = sha256
        self.size = size
        self.deleted = deleted
        self.secret = secret
        self.appID = appID
        self.source = source
        self.jobID = jobID
        self.author = author
        self.maskedContent = maskedContent
        self.sealedContent = sealedContent
        self.createdAt = createdAt
    }

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        serverID = try row.decode(column: "server_id", as: String.self)
        path = try row.decode(column: "path", as: String.self)
        sha256 = try row.decode(column: "sha256", as: String.self)
        size = try row.decode(column: "size_bytes", as: Int64.self)
        deleted = try row.decode(column: "deleted", as: Bool.self)
        secret = try row.decode(column: "secret", as: Bool.self)
        appID = try row.decode(column: "app_id", as: String?.self)
        let sourceText = try row.decode(column: "source", as: String.self)
        guard let source = Source(rawValue: sourceText) else { throw StoreError("config version \(id) has unknown source \(sourceText)") }
        self.source = source
        jobID = try row.decode(column: "job_id", as: String?.self)
        author = try row.decode(column: "author", as: String.self)
        maskedContent = try row.decode(column: "masked_content", as: String?.self)
        sealedContent = try row.decode(column: "sealed_content", as: String?.self)
        sequence = try row.decode(column: "seq", as: Int64.self)
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
    }

    /// Whether the version records the same state of the file as `other` (a job that wrote what
    /// was there already changes nothing).
    func sameState(as other: ConfigVersionRecord) -> Bool {
        deleted == other.deleted && (deleted || sha256 == other.sha256)
    }

    public var wire: Wire.ConfigHistory.Version {
        .init(
            id: id, path: path, sha256: sha256, size: size, jobID: jobID, author: author, createdAt: createdAt, source: source.rawValue,
            deleted: deleted, secret: secret, appID: appID, restorable: !deleted && sealedContent != nil)
    }
}
