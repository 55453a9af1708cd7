import Foundation
import SQLKit
import StewardCore

/// A job's hold on an installation, taken in the transaction that queues the job.
///
/// Jobs that change what is installed (installs, upgrades, removals, restores) hold their
/// installation one at a time. An installation's own actions (``InstallationService``) are
/// `exclusive`: refused while another job holds it, so that an operator hears at once that an
/// upgrade is under way. Installs and removals queued through `/apps/{id}/…` wait their turn like
/// any job of the server and take the hold when they start (a server runs them one at a time).
public struct InstallationClaim: Sendable {
    /// For a new installation, the row to insert; for an existing one, its id is what counts.
    public var installation: InstallationRecord
    public var isNew: Bool
    public var jobID: String
    /// The installation's status while the job runs.
    public var status: InstallationRecord.Status
    /// The job's secret inputs, the installation's once it succeeds (installs and upgrades).
    public var pendingSealedSecrets: String?
    public var exclusive: Bool

    public init(
        installation: InstallationRecord, isNew: Bool, jobID: String, status: InstallationRecord.Status, pendingSealedSecrets: String?,
        exclusive: Bool = true
    ) {
        self.installation = installation
        self.isNew = isNew
        self.jobID = jobID
        self.status = status
        self.pendingSealedSecrets = pendingSealedSecrets
        self.exclusive = exclusive
    }

    /// Another job holds the installation already.
    public struct Busy: Error {
        public var installationID: String
    }
}

extension Store {
    /// Queues jobs as ``createJobs(_:scripts:audit:)`` does, taking each claim on its installation
    /// and recording the backups they will write, in the same transaction; returns the jobs as
    /// stored (a job whose new installation another request made meanwhile joins that one). Throws
    /// ``InstallationClaim/Busy`` (and changes nothing) when another job holds an exclusive claim's installation.
    @discardableResult
    public func createJobs(
        _ jobs: [JobRecord], scripts: [String: Data], audit: AuditEvent?, claims: [InstallationClaim], backups: [BackupRecord] = []
    ) async throws -> [JobRecord] {
        guard let tenantID = jobs.first?.tenantID else { return [] }
        let now = jobs.first?.createdAt ?? Date()
        let lockServers = pool.kind == .postgresql && !claims.isEmpty
        return try await pool.transaction(.tenant(tenantID)) { db in
            var jobs = jobs
            // Claims and lease changes lock a server's row and then its installations; take the
            // server's row first here too (the jobs' foreign keys would take it last), or the two
            // could wait for each other.
            if lockServers {
                for serverID in Set(jobs.map(\.serverID)).sorted() {
                    _ = try await db.raw("SELECT id FROM servers WHERE id = \(bind: serverID) FOR KEY SHARE").first()
                }
            }
            for claim in claims {
                var installationID = claim.installation.id
                if claim.isNew {
                    var row = claim.installation
                    row.status = claim.status
                    row.activeJobID = claim.jobID
                    row.pendingSealedSecrets = claim.pendingSealedSecrets
                    if try await Self.insert(row, on: db) { continue }
                    // Another request made the app's installation on the server meanwhile: this job joins it.
                    guard
                        let existing = try await db.raw(
                            """
                            SELECT id FROM installations WHERE server_id = \(bind: row.serverID) AND app_id = \(bind: row.appID)
                            AND status <> 'removed'
                            """
                        ).first()?.decode(column: "id", as: String.self)
                    else { throw StoreError("the installation of \(row.appID) on \(row.serverID) was neither made nor found") }
                    installationID = existing
                    for index in jobs.indices where jobs[index].id == claim.jobID { jobs[index].installationID = existing }
                }
                let taken = try await db.raw(
                    """
                    UPDATE installations SET active_job_id = \(bind: claim.jobID), status = \(bind: claim.status.rawValue),
                        pending_sealed_secrets = \(bind: claim.pendingSealedSecrets), updated_at = \(bind: Millis.from(now))
                    WHERE id = \(bind: installationID) AND tenant_id = \(bind: tenantID) AND active_job_id IS NULL
                    AND status <> 'removed'
                    RETURNING id
                    """
                ).all()
                if taken.isEmpty, claim.exclusive { throw InstallationClaim.Busy(installationID: installationID) }
            }
            for backup in backups { try await Self.insert(backup, on: db) }
            try await Self.insertJobs(jobs, scripts: scripts, on: db)
            if let audit { try await appendAudit(audit, on: db, at: now) }
            return jobs
        }
    }

    /// Inserts the installation; `false` when the server has a current installation of the app already.
    private static func insert(_ row: InstallationRecord, on db: any SQLDatabase) async throws -> Bool {
        try await !db.raw(
            """
            INSERT INTO installations (id, tenant_id, server_id, app_id, version, status, inputs, secret_names, sealed_secrets,
                outputs, sealed_outputs, release, active_job_id, pending_sealed_secrets, last_job_id, last_health,
                health_interval_seconds, next_health_at, created_at, updated_at)
            VALUES (\(bind: row.id), \(bind: row.tenantID), \(bind: row.serverID), \(bind: row.appID), \(bind: row.version),
                \(bind: row.status.rawValue), \(bind: JSONColumn.encode(row.inputs)), \(bind: JSONColumn.encode(row.secretNames)),
                \(bind: row.sealedSecrets), \(bind: JSONColumn.encode(row.outputs)), \(bind: row.sealedOutputs),
                \(bind: row.release.map(JSONColumn.encode)), \(bind: row.activeJobID),
                \(bind: row.pendingSealedSecrets), \(bind: row.lastJobID), \(bind: row.lastHealth.map(JSONColumn.encode)),
                \(bind: row.healthIntervalSeconds), \(bind: row.nextHealthAt.map(Millis.from)), \(bind: Millis.from(row.createdAt)),
                \(bind: Millis.from(row.updatedAt)))
            ON CONFLICT DO NOTHING
            RETURNING id
            """
        ).all().isEmpty
    }

    private static func insert(_ backup: BackupRecord, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO backups (id, tenant_id, installation_id, server_id, kind, status, job_id, app_version, paths, has_dump,
                created_at)
            VALUES (\(bind: backup.id), \(bind: backup.tenantID), \(bind: backup.installationID), \(bind: backup.serverID),
                \(bind: backup.kind.rawValue), \(bind: backup.status.rawValue), \(bind: backup.jobID), \(bind: backup.appVersion),
                \(bind: JSONColumn.encode(backup.paths)), \(bind: backup.hasDump), \(bind: Millis.from(backup.createdAt)))
            """
        ).run()
    }

    // MARK: Reading

    public func installation(id: String, tenantID: String) async throws -> InstallationRecord? {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw("SELECT * FROM installations WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)").first()
                .map(InstallationRecord.init(row:))
        }
    }

    /// The app's installation on the server that is not removed, if there is one.
    public func installation(serverID: String, appID: String, tenantID: String) async throws -> InstallationRecord? {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw(
                """
                SELECT * FROM installations WHERE server_id = \(bind: serverID) AND app_id = \(bind: appID)
                AND tenant_id = \(bind: tenantID) AND status <> 'removed'
                """
            ).first().map(InstallationRecord.init(row:))
        }
    }

    /// The tenant's installations, optionally of one server; removed ones only when asked.
    public func installations(tenantID: String, serverID: String?, includeRemoved: Bool = false) async throws -> [InstallationRecord] {
        try await pool.read(.tenant(tenantID)) { db in
            // A decommissioned server's apps are gone with it.
            var query: SQLQueryString = """
                SELECT * FROM installations WHERE tenant_id = \(bind: tenantID)
                AND server_id IN (SELECT id FROM servers WHERE decommissioned_at IS NULL)
                """
            if let serverID { query = query + " AND server_id = \(bind: serverID)" }
            if !includeRemoved { query = query + " AND status <> 'removed'" }
            return try await db.raw(query + " ORDER BY created_at, id").all().map(InstallationRecord.init(row:))
        }
    }

    /// The installation's backups and snapshots, newest first.
    public func backups(installationID: String, tenantID: String) async throws -> [BackupRecord] {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw(
                """
                SELECT * FROM backups WHERE installation_id = \(bind: installationID) AND tenant_id = \(bind: tenantID)
                ORDER BY created_at DESC, id DESC
                """
            ).all().map(BackupRecord.init(row:))
        }
    }

    public func backup(id: String, tenantID: String) async throws -> BackupRecord? {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw("SELECT * FROM backups WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)").first()
                .map(BackupRecord.init(row:))
        }
    }

    /// The installation's last health checks, newest first.
    public func healthChecks(
        installationID: String, tenantID: String, limit: Int = InstallationRecord.keptHealthChecks
    ) async throws
        -> [Wire.Installations.Health]
    {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw(
                """
                SELECT * FROM health_checks WHERE installation_id = \(bind: installationID) AND tenant_id = \(bind: tenantID)
                ORDER BY checked_at DESC, id DESC LIMIT \(bind: limit)
                """
            ).all().map { row in
                Wire.Installations.Health(
                    healthy: try row.decode(column: "healthy", as: Bool.self), exitCode: try row.decode(column: "exit_code", as: Int?.self),
                    jobID: try row.decode(column: "job_id", as: String.self),
                    checkedAt: Millis.date(try row.decode(column: "checked_at", as: Int64.self)),
                    detail: try row.decode(column: "detail", as: String?.self))
            }
        }
    }

    // MARK: Changes

    /// Sets how often the installation's health is checked; the next check comes one interval from `now`.
    public func setHealthInterval(
        installationID: String, tenantID: String, seconds: Int, now: Date, audit: AuditEvent
    ) async throws
        -> InstallationRecord?
    {
        try await pool.transaction(.tenant(tenantID)) { db in
            let next = seconds > 0 ? Millis.from(now.addingTimeInterval(TimeInterval(seconds))) : nil
            let rows = try await db.raw(
                """
                UPDATE installations SET health_interval_seconds = \(bind: seconds), next_health_at = \(bind: next),
                    updated_at = \(bind: Millis.from(now))
                WHERE id = \(bind: installationID) AND tenant_id = \(bind: tenantID)
                RETURNING id
                """
            ).all()
            guard !rows.isEmpty else { return nil }
            try await appendAudit(audit, on: db, at: now)
            return try await db.raw("SELECT * FROM installations WHERE id = \(bind: installationID)").first()
                .map(InstallationRecord.init(row:))
        }
    }

    /// Installed apps whose health check is due at `now` and that nothing else acts on; each is
    /// taken by moving its next check one interval on, so that of several hubs only one queues it.
    public func takeDueHealthChecks(now: Date, limit: Int) async throws -> [InstallationRecord] {
        let lock = skipLockedRows
        return try await pool.transaction(.hub) { db in
            let due = try await db.raw(
                """
                SELECT * FROM installations WHERE status = 'installed' AND active_job_id IS NULL AND health_interval_seconds > 0
                AND next_health_at IS NOT NULL AND next_health_at <= \(bind: Millis.from(now))
                AND server_id IN (SELECT id FROM servers WHERE decommissioned_at IS NULL)
                ORDER BY next_health_at LIMIT \(bind: limit)\(unsafeRaw: lock)
                """
            ).all().map(InstallationRecord.init(row:))
            for installation in due {
                let next = now.addingTimeInterval(TimeInterval(installation.healthIntervalSeconds))
                try await db.raw(
                    "UPDATE installations SET next_health_at = \(bind: Millis.from(next)) WHERE id = \(bind: installation.id)"
                ).run()
            }
            return due
        }
    }

    /// Whether a health check of the installation is waiting or running already.
    public func hasOpenHealthCheck(installationID: String, tenantID: String) async throws -> Bool {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw(
                """
                SELECT id FROM jobs WHERE installation_id = \(bind: installationID) AND kind = 'health'
                AND status IN \(Self.list(Wire.Job.Status.open)) LIMIT 1
                """
            ).first() != nil
        }
    }

    // MARK: What a job's end does to its installation

    /// Applies a job's new status to its installation, in the transaction that saved the job: the
    /// claim ends with the job, a success makes its inputs, version and outputs the installation's,
    /// health checks and backups are recorded. Called by ``save(_:on:)`` for every change of a job
    /// that has an installation.
    static func settleInstallation(after job: JobRecord, on db: any SQLDatabase) async throws {
        guard let installationID = job.installationID,
            let installation = try await db.raw("SELECT * FROM installations WHERE id = \(bind: installationID)").first()
                .map(InstallationRecord.init(row:))
        else { return }
        let now = Millis.from(job.finishedAt ?? job.startedAt ?? job.createdAt)
        let holdsClaim = installation.activeJobID == job.id
        if job.status == .running, job.kind.scriptRole?.holdsInstallation == true, installation.status != .removed {
            // It starts: it holds the installation now (its server runs one such job at a time), and
            // its secret inputs are the ones to keep if it succeeds.
            try await db.raw(
                """
                UPDATE installations SET active_job_id = \(bind: job.id), pending_sealed_secrets = \(bind: job.sealedSecrets),
                    status = \(bind: (job.kind.scriptRole?.statusWhileRunning ?? installation.status).rawValue), updated_at = \(bind: now)
                WHERE id = \(bind: installationID)
                """
            ).run()
            return
        }
        guard job.status.isFinal, let role = job.kind.scriptRole else { return }
        try await recordBackups(of: job, now: now, on: db)
        if role == .health {
            try await recordHealth(of: job, installation: installation, on: db)
            return
        }
        guard role.holdsInstallation else {
            // A backup only looks: it leaves the status and another job's hold as they are.
            try await db.raw(
                "UPDATE installations SET last_job_id = \(bind: job.id), updated_at = \(bind: now) WHERE id = \(bind: installationID)"
            ).run()
            return
        }
        guard holdsClaim else { return }
        var status = installation.status
        var changes: SQLQueryString = ""
        if job.status == .succeeded {
            switch role {
            case .install, .upgrade:
                status = .installed
                let outputs = installation.outputs.merging(job.outputs) { _, new in new }
                changes = """
                    , version = \(bind: job.appVersion), release = \(bind: try (job.release ?? installation.release).map(JSONColumn.encode)),
                    inputs = \(bind: try JSONColumn.encode(job.inputs)), secret_names = \(bind: try JSONColumn.encode(job.secretNames)),
                    sealed_secrets = \(bind: installation.pendingSealedSecrets), outputs = \(bind: try JSONColumn.encode(outputs)),
                    sealed_outputs = \(bind: job.sealedOutputs ?? installation.sealedOutputs)
                    """
                if installation.nextHealthAt == nil, installation.healthIntervalSeconds > 0 {
                    let next = Millis.from(job.finishedAt ?? Date()) + Int64(installation.healthIntervalSeconds) * 1000
                    changes = changes + ", next_health_at = \(bind: next)"
                }
            case .uninstall:
                // Its secrets are kept no longer than the app is installed.
                status = .removed
                changes = ", sealed_secrets = NULL, sealed_outputs = NULL, next_health_at = NULL"
            case .restore:
                status = .installed
            case .backup, .health:
                break  // they only look, and were recorded above
            }
        } else if job.rolledBack == true {
            // The upgrade failed and the snapshot put the previous version back, healthy.
            status = .installed
        } else {
            status = .failed
        }
        try await db.raw(
            """
            UPDATE installations SET status = \(bind: status.rawValue), active_job_id = NULL, pending_sealed_secrets = NULL,
                last_job_id = \(bind: job.id), updated_at = \(bind: now)\(changes)
            WHERE id = \(bind: installationID)
            """
        ).run()
    }

    /// Completes (or fails) the backups the job was to write, from the archives its steps report,
    /// and marks those its rotation removed.
    private static func recordBackups(of job: JobRecord, now: Int64, on db: any SQLDatabase) async throws {
        let pending = try await db.raw(
            "SELECT * FROM backups WHERE job_id = \(bind: job.id) AND status = \(bind: BackupRecord.Status.pending.rawValue)"
        ).all().map(BackupRecord.init(row:))
        for backup in pending {
            let written = job.stepResults.first { $0.type == .backup && $0.exitCode == 0 && $0.archive != nil }?.archive
            if let written {
                try await db.raw(
                    """
                    UPDATE backups SET status = 'complete', path = \(bind: written.path), size_bytes = \(bind: written.sizeBytes),
                        sha256 = \(bind: written.sha256), duration_ms = \(bind: written.durationMS), finished_at = \(bind: now)
                    WHERE id = \(bind: backup.id)
                    """
                ).run()
            } else {
                let reason =
                    job.stepResults.first { $0.type == .backup && $0.exitCode != 0 }?.error ?? job.error ?? "the job \(job.status.rawValue)"
                try await db.raw(
                    "UPDATE backups SET status = 'failed', error = \(bind: reason), finished_at = \(bind: now) WHERE id = \(bind: backup.id)"
                ).run()
            }
        }
        // What the backup step was told to keep is all that is left of the installation's archives.
        if job.status == .succeeded, let keep = try? Self.keptArchives(of: job), let installationID = job.installationID {
            let kept = Set(keep)
            let complete = try await db.raw(
                "SELECT id FROM backups WHERE installation_id = \(bind: installationID) AND status = 'complete'"
            ).all().map { try $0.decode(column: "id", as: String.self) }
            for id in complete where !kept.contains(id) {
                try await db.raw("UPDATE backups SET status = 'pruned' WHERE id = \(bind: id)").run()
            }
        }
    }

    /// The `keep` list of the job's backup step, which ``JobRecord/steps`` shows unsealed.
    private static func keptArchives(of job: JobRecord) throws -> [String]? {
        guard let step = job.steps.first(where: { $0.type == .backup }), let keep = step.keep, let id = step.backupID else { return nil }
        return keep + [id]
    }

    /// Keeps a health check's outcome (the last ``InstallationRecord/keptHealthChecks`` of them).
    private static func recordHealth(of job: JobRecord, installation: InstallationRecord, on db: any SQLDatabase) async throws {
        guard job.status != .cancelled else { return }
        let checkedAt = job.finishedAt ?? Date()
        let health = Wire.Installations.Health(
            healthy: job.status == .succeeded, exitCode: job.exitCode, jobID: job.id, checkedAt: checkedAt,
            detail: job.status == .succeeded ? nil : job.error)
        try await db.raw(
            """
            INSERT INTO health_checks (id, tenant_id, installation_id, job_id, healthy, exit_code, detail, checked_at)
            VALUES (\(bind: UUID().uuidString.lowercased()), \(bind: installation.tenantID), \(bind: installation.id), \(bind: job.id),
                \(bind: health.healthy), \(bind: health.exitCode), \(bind: health.detail), \(bind: Millis.from(checkedAt)))
            """
        ).run()
        try await db.raw(
            """
            UPDATE installations SET last_health = \(bind: try JSONColumn.encode(health)), updated_at = \(bind: Millis.from(checkedAt))
            WHERE id = \(bind: installation.id)
            """
        ).run()
        let old = try await db.raw(
            """
            SELECT id FROM health_checks WHERE installation_id = \(bind: installation.id)
            ORDER BY checked_at DESC, id DESC LIMIT 1000 OFFSET \(bind: InstallationRecord.keptHealthChecks)
            """
        ).all().map { try $0.decode(column: "id", as: String.self) }
        for id in old { try await db.raw("DELETE FROM health_checks WHERE id = \(bind: id)").run() }
    }
}

extension ScriptRole {
    /// Whether a job of this role holds its installation while it runs (one at a time): those that
    /// change what is installed. Health checks and backups only look.
    var holdsInstallation: Bool {
        switch self {
        case .install, .upgrade, .uninstall, .restore: true
        case .health, .backup: false
        }
    }

    /// The installation's status while such a job runs.
    var statusWhileRunning: InstallationRecord.Status? {
        switch self {
        case .install: .installing
        case .upgrade: .upgrading
        case .uninstall, .restore, .health, .backup: nil
        }
    }
}

extension InstallationRecord {
    /// How many health check results are kept per installation.
    public static let keptHealthChecks = 100
}
