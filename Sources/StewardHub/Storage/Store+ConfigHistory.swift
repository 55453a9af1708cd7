import Foundation
import SQLKit
import StewardCore

extension Store {
    // MARK: Config history

    /// What recording a version did: the version kept, and the one before it (for a diff).
    public struct RecordedConfigVersion: Sendable {
        public var version: ConfigVersionRecord
        public var previous: ConfigVersionRecord?
    }

    /// Records each version that differs from the latest one of its server and path, in order, and
    /// drops what exceeds ``ConfigVersionRecord/keptPerPath``. A missing file is recorded only when
    /// a version of it exists that says otherwise. Returns the versions recorded.
    public func recordConfigVersions(_ candidates: [ConfigVersionRecord]) async throws -> [RecordedConfigVersion] {
        guard let first = candidates.first else { return [] }
        let lock = pool.kind == .postgresql ? " FOR NO KEY UPDATE" : ""
        return try await pool.transaction(.tenant(first.tenantID)) { db in
            var recorded: [RecordedConfigVersion] = []
            for serverID in Set(candidates.map(\.serverID)).sorted() {
                // One recorder at a time per server: the sequence and "latest" are read, then written.
                _ = try await db.raw("SELECT id FROM servers WHERE id = \(bind: serverID)\(unsafeRaw: lock)").first()
            }
            for var candidate in candidates {
                let previous = try await Self.latestConfigVersion(serverID: candidate.serverID, path: candidate.path, on: db)
                if let previous, candidate.sameState(as: previous) { continue }
                if previous == nil, candidate.deleted { continue }
                let last = try await db.raw(
                    "SELECT COALESCE(MAX(seq), 0) AS seq FROM config_versions WHERE server_id = \(bind: candidate.serverID)"
                ).first()?.decode(column: "seq", as: Int64.self)
                candidate.sequence = (last ?? 0) + 1
                try await Self.insert(candidate, on: db)
                try await db.raw(
                    """
                    DELETE FROM config_versions WHERE server_id = \(bind: candidate.serverID) AND path = \(bind: candidate.path)
                    AND seq <= \(bind: candidate.sequence) - \(bind: Int64(ConfigVersionRecord.keptPerPath))
                    """
                ).run()
                recorded.append(.init(version: candidate, previous: previous))
            }
            return recorded
        }
    }

    private static func insert(_ version: ConfigVersionRecord, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO config_versions (id, tenant_id, server_id, path, seq, sha256, size_bytes, deleted, secret, app_id, source,
                job_id, author, masked_content, sealed_content, created_at)
            VALUES (\(bind: version.id), \(bind: version.tenantID), \(bind: version.serverID), \(bind: version.path),
                \(bind: version.sequence), \(bind: version.sha256), \(bind: version.size), \(bind: version.deleted),
                \(bind: version.secret), \(bind: version.appID), \(bind: version.source.rawValue), \(bind: version.jobID),
                \(bind: version.author), \(bind: version.maskedContent), \(bind: version.sealedContent),
                \(bind: Millis.from(version.createdAt)))
            """
        ).run()
    }

    private static func latestConfigVersion(serverID: String, path: String, on db: any SQLDatabase) async throws -> ConfigVersionRecord? {
        try await db.raw(
            """
            SELECT * FROM config_versions WHERE server_id = \(bind: serverID) AND path = \(bind: path)
            ORDER BY seq DESC LIMIT 1
            """
        ).first().map(ConfigVersionRecord.init(row:))
    }

    /// The versions of one file, newest first.
    public func configVersions(serverID: String, path: String, tenantID: String) async throws -> [ConfigVersionRecord] {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw(
                """
                SELECT * FROM config_versions WHERE server_id = \(bind: serverID) AND path = \(bind: path)
                AND tenant_id = \(bind: tenantID) ORDER BY seq DESC
                """
            ).all().map(ConfigVersionRecord.init(row:))
        }
    }

    /// The latest version of each file the server's history tracks, by path.
    public func latestConfigVersions(serverID: String, tenantID: String) async throws -> [ConfigVersionRecord] {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw(
                """
                SELECT * FROM config_versions v WHERE server_id = \(bind: serverID) AND tenant_id = \(bind: tenantID)
                AND seq = (SELECT MAX(seq) FROM config_versions w WHERE w.server_id = v.server_id AND w.path = v.path)
                ORDER BY path
                """
            ).all().map(ConfigVersionRecord.init(row:))
        }
    }

    /// Every version of the server, oldest first: what the git export replays.
    public func allConfigVersions(serverID: String, tenantID: String) async throws -> [ConfigVersionRecord] {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw(
                "SELECT * FROM config_versions WHERE server_id = \(bind: serverID) AND tenant_id = \(bind: tenantID) ORDER BY seq"
            ).all().map(ConfigVersionRecord.init(row:))
        }
    }

    public func configVersion(id: String, tenantID: String) async throws -> ConfigVersionRecord? {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw("SELECT * FROM config_versions WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)").first()
                .map(ConfigVersionRecord.init(row:))
        }
    }

    /// Servers whose tracked files are due for a drift check, with the due time moved on by
    /// `interval` in the same transaction, so that of several hubs one takes each. A server's first
    /// check falls due `interval` after its history began; one with no history, or decommissioned,
    /// is never due.
    public func takeDueConfigChecks(now: Date, interval: TimeInterval, limit: Int) async throws -> [ServerRecord] {
        let lock = skipLockedRows
        let next = Millis.from(now.addingTimeInterval(interval))
        return try await pool.transaction(.hub) { db in
            try await db.raw(
                """
                UPDATE servers SET next_config_check_at = \(bind: next)
                WHERE next_config_check_at IS NULL AND decommissioned_at IS NULL
                AND EXISTS (SELECT 1 FROM config_versions v WHERE v.server_id = servers.id)
                """
            ).run()
            let due = try await db.raw(
                """
                SELECT * FROM servers WHERE decommissioned_at IS NULL
                AND next_config_check_at <= \(bind: Millis.from(now))
                ORDER BY next_config_check_at, id LIMIT \(bind: limit)\(unsafeRaw: lock)
                """
            ).all().map(ServerRecord.init(row:))
            for server in due {
                try await db.raw("UPDATE servers SET next_config_check_at = \(bind: next) WHERE id = \(bind: server.id)").run()
            }
            return due
        }
    }

    /// Whether any version was recorded from the job `jobID`'s result.
    public func hasConfigVersions(jobID: String, tenantID: String) async throws -> Bool {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw(
                "SELECT id FROM config_versions WHERE job_id = \(bind: jobID) AND tenant_id = \(bind: tenantID) LIMIT 1"
            ).first() != nil
        }
    }

    /// Whether a drift check of the server is waiting or running already.
    public func hasOpenConfigCheck(serverID: String, tenantID: String) async throws -> Bool {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw(
                """
                SELECT id FROM jobs WHERE server_id = \(bind: serverID) AND tenant_id = \(bind: tenantID) AND kind = 'config.check'
                AND status IN \(Self.list(Wire.Job.Status.open)) LIMIT 1
                """
            ).first() != nil
        }
    }
}
