import Foundation
import SQLKit
import StewardCore

/// What became of a log batch.
public enum LogAppend: Sendable, Equatable {
    /// Stored (what fitted under the cap); the log is now `length` bytes long.
    case appended(length: Int64)
    /// The attempt is not the job's running one; nothing was stored. `status` says why.
    case notRunning(status: Wire.Job.Status, attempt: Int)
    case unknown
}

extension Store {
    /// Creates jobs together (a `requires` chain), audited once, with the scripts they run.
    public func createJobs(_ jobs: [JobRecord], scripts: [String: Data] = [:], audit: AuditEvent) async throws {
        try await pool.transaction(.tenant(audit.tenantID)) { db in
            try await Self.insertJobs(jobs, scripts: scripts, on: db)
            try await appendAudit(audit, on: db, at: jobs.first?.createdAt ?? Date())
        }
    }

    /// Inserts the jobs and the scripts they run (each script once, by its SHA-256).
    static func insertJobs(_ jobs: [JobRecord], scripts: [String: Data], on db: any SQLDatabase) async throws {
        for (digest, content) in scripts.sorted(by: { $0.key < $1.key }) {
            try await db.insert(into: "job_scripts")
                .columns("sha256", "content", "created_at")
                .values(SQLBind(digest), SQLBind(content.base64EncodedString()), SQLBind(Millis.from(jobs.first?.createdAt ?? Date())))
                .ignoringConflicts(with: ["sha256"])
                .run()
        }
        for job in jobs { try await insert(job, on: db) }
    }

    private static func insert(_ job: JobRecord, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO jobs (id, tenant_id, server_id, kind, app_id, app_version, inputs, sealed_secrets, secret_names,
                status, attempt, max_attempts, backoff_seconds, timeout_seconds, next_run_at, outputs, log_bytes, log_chunks,
                steps, sealed_steps, after_job_id, exclusive, requested_by, created_at, script_sha256, secret_outputs,
                installation_id, sealed_rollback, release)
            VALUES (\(bind: job.id), \(bind: job.tenantID), \(bind: job.serverID), \(bind: job.kind.rawValue), \(bind: job.appID),
                \(bind: job.appVersion), \(bind: JSONColumn.encode(job.inputs)), \(bind: job.sealedSecrets),
                \(bind: JSONColumn.encode(job.secretNames)), \(bind: job.status.rawValue), 0, \(bind: job.maxAttempts),
                \(bind: JSONColumn.encode(job.backoffSeconds)), \(bind: job.timeoutSeconds), \(bind: Millis.from(job.nextRunAt)),
                '{}', 0, 0, \(bind: JSONColumn.encode(job.steps)), \(bind: job.sealedSteps), \(bind: job.afterJobID),
                \(bind: job.exclusive ? 1 : 0), \(bind: job.requestedBy), \(bind: Millis.from(job.createdAt)), \(bind: job.scriptSHA256),
                \(bind: JSONColumn.encode(job.secretOutputs)), \(bind: job.installationID), \(bind: job.sealedRollback),
                \(bind: job.release.map(JSONColumn.encode)))
            """
        ).run()
    }

    /// A script stored when a job that runs it was queued.
    public func script(sha256: String) async throws -> Data? {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT content FROM job_scripts WHERE sha256 = \(bind: sha256)").first()
                .flatMap { Data(base64Encoded: try $0.decode(column: "content", as: String.self)) }
        }
    }

    /// Loads the job under a row lock, lets `change` decide what becomes of it, and saves the record
    /// (with `audit`, if given) when `change` says it changed it, all in one transaction. `nil` when
    /// there is no such job, or it belongs to another tenant than `tenantID`.
    public func updateJob<Verdict: Sendable>(
        id: String, tenantID: String? = nil, audit: AuditEvent? = nil, at now: Date,
        _ change: @escaping @Sendable (inout JobRecord) throws -> (changed: Bool, verdict: Verdict)
    ) async throws -> (job: JobRecord, verdict: Verdict)? {
        let lock = lockRows
        return try await pool.transaction(tenantID.map(RowScope.tenant) ?? .hub) { db in
            guard
                var job = try await db.raw("SELECT * FROM jobs WHERE id = \(bind: id)\(unsafeRaw: lock)").first()
                    .map(JobRecord.init(row:)),
                tenantID == nil || job.tenantID == tenantID
            else { return nil }
            let (changed, verdict) = try change(&job)
            if changed {
                try await Self.save(&job, on: db)
                if let audit { try await appendAudit(audit, on: db, at: now) }
            }
            return (job, verdict)
        }
    }

    /// Hands the server's next due job to its agent, oldest first. An exclusive job runs alone; others
    /// run beside each other up to `concurrency` (the agent's limit, 1 by default).
    ///
    /// Claims for one server are serialised: on PostgreSQL by a lock on the server's row (without it,
    /// two claimers could each see no job running and start two exclusive jobs together), on SQLite by
    /// its single writer. A claim for `run` throws ``AgentRun/Superseded`` once the agent has started
    /// another run (the same lock orders it against ``loseRunningAttempts(serverID:keep:startingRun:now:backoffScale:reason:)``).
    public func claimNextJob(
        serverID: String, now: Date, lease: TimeInterval, concurrency: Int = 1, run: AgentRun? = nil
    ) async throws -> JobRecord? {
        let lock = lockRows
        return try await pool.transaction(.hub) { db in
            if !lock.isEmpty { _ = try await db.raw("SELECT id FROM servers WHERE id = \(bind: serverID)\(unsafeRaw: lock)").first() }
            if let run {
                let current = try await db.raw("SELECT run_id FROM agents WHERE id = \(bind: run.agentID)").first()?
                    .decode(column: "run_id", as: String?.self)
                if let current, current != run.runID { throw AgentRun.Superseded(run: run) }
            }
            let running = try await db.raw(
                "SELECT exclusive FROM jobs WHERE server_id = \(bind: serverID) AND status = \(bind: Wire.Job.Status.running.rawValue)"
            ).all().map { try $0.decode(column: "exclusive", as: Int.self) != 0 }
            guard !running.contains(true), running.count < concurrency else { return nil }
            guard
                var job = try await db.raw(
                    """
                    SELECT * FROM jobs WHERE server_id = \(bind: serverID) AND status IN \(Self.list(Wire.Job.Status.waiting))
                    AND next_run_at <= \(bind: Millis.from(now))
                    AND \(Self.predecessorSucceeded)
                    ORDER BY created_at, id LIMIT 1
                    """
                ).first().map(JobRecord.init(row:))
            else { return nil }
            guard !job.exclusive || running.isEmpty else { return nil }
            JobLifecycle.claim(&job, now: now, lease: lease)
            try await Self.save(&job, on: db)
            return job
        }
    }

    /// Gives `attempts` of the server's running jobs a lease until `until`. Only the attempts an
    /// agent names are renewed: a heartbeat for the server as a whole never keeps alive an attempt
    /// the agent does not know (one from before it restarted, or a claim that never reached it).
    public func renewLeases(serverID: String, attempts: [Wire.Heartbeat.AttemptRef], until: Date) async throws {
        guard !attempts.isEmpty else { return }
        try await pool.read(.hub) { db in
            for held in attempts {
                try await db.raw(
                    """
                    UPDATE jobs SET lease_expires_at = \(bind: Millis.from(until))
                    WHERE id = \(bind: held.jobID) AND server_id = \(bind: serverID) AND attempt = \(bind: held.attempt)
                    AND status = \(bind: Wire.Job.Status.running.rawValue)
                    """
                ).run()
            }
        }
    }

    /// Ends as lost every running attempt of the server's jobs except `keep`: its agent started
    /// afresh and does not hold them. `reason(job)` says why, per job. Returns the jobs changed.
    /// With `startingRun`, that run becomes the agent's current one, under the server's lock that
    /// claims take: a claim of the earlier run either came first (and its attempt is lost here) or
    /// comes after and is refused.
    public func loseRunningAttempts(
        serverID: String, keep: Set<Wire.Heartbeat.AttemptRef>, startingRun: AgentRun? = nil, now: Date, backoffScale: Double,
        reason: @escaping @Sendable (JobRecord) -> String
    ) async throws -> [JobRecord] {
        let lock = lockRows
        return try await pool.transaction(.hub) { db in
            if !lock.isEmpty { _ = try await db.raw("SELECT id FROM servers WHERE id = \(bind: serverID)\(unsafeRaw: lock)").first() }
            if let startingRun {
                try await db.raw(
                    "UPDATE agents SET run_id = \(bind: startingRun.runID) WHERE id = \(bind: startingRun.agentID) AND server_id = \(bind: serverID)"
                ).run()
            }
            let running = try await db.raw(
                """
                SELECT * FROM jobs WHERE server_id = \(bind: serverID) AND status = \(bind: Wire.Job.Status.running.rawValue)\(unsafeRaw: lock)
                """
            ).all().map(JobRecord.init(row:))
            var changed: [JobRecord] = []
            for var job in running where !keep.contains(.init(jobID: job.id, attempt: job.attempt)) {
                JobLifecycle.lose(&job, reason: reason(job), now: now, backoffScale: backoffScale)
                try await Self.save(&job, on: db)
                changed.append(job)
            }
            return changed
        }
    }

    /// Marks running attempts whose lease ran out as lost, which the contract treats like exit 2.
    /// Returns the jobs changed. Safe with several hubs: each expired row is taken by one of them.
    public func expireLeases(now: Date, backoffScale: Double) async throws -> [JobRecord] {
        let lock = skipLockedRows
        return try await pool.transaction(.hub) { db in
            let expired = try await db.raw(
                """
                SELECT * FROM jobs WHERE status = \(bind: Wire.Job.Status.running.rawValue)
                AND lease_expires_at < \(bind: Millis.from(now))\(unsafeRaw: lock)
                """
            ).all().map(JobRecord.init(row:))
            var changed: [JobRecord] = []
            for var job in expired {
                JobLifecycle.lose(
                    &job, reason: "the agent stopped reporting it before its lease ran out", now: now, backoffScale: backoffScale)
                try await Self.save(&job, on: db)
                changed.append(job)
            }
            return changed
        }
    }

    /// Cancels waiting jobs whose predecessor ended without success, and returns them.
    public func cancelOrphanedJobs(now: Date) async throws -> [JobRecord] {
        let lock = skipLockedRows
        return try await pool.transaction(.hub) { db in
            let orphans = try await db.raw(
                """
                SELECT * FROM jobs WHERE status IN \(Self.list(Wire.Job.Status.waiting)) AND after_job_id IN (
                    SELECT id FROM jobs WHERE status IN \(Self.list(Wire.Job.Status.unsuccessful)))\(unsafeRaw: lock)
                """
            ).all().map(JobRecord.init(row:))
            var cancelled: [JobRecord] = []
            for var job in orphans {
                _ = JobLifecycle.cancel(&job, reason: "job \(job.afterJobID ?? ""), which this one waits for, did not succeed", now: now)
                try await Self.save(&job, on: db)
                cancelled.append(job)
            }
            return cancelled
        }
    }

    /// Running attempts get until `until`: after a hub restart, agents could not renew their leases
    /// while it was down, and that must not count against them.
    public func extendRunningLeases(until: Date) async throws {
        try await pool.read(.hub) { db in
            try await db.raw(
                """
                UPDATE jobs SET lease_expires_at = \(bind: Millis.from(until))
                WHERE status = \(bind: Wire.Job.Status.running.rawValue) AND lease_expires_at < \(bind: Millis.from(until))
                """
            ).run()
        }
    }

    /// Apps installed on the server, or on their way: the last finished install or uninstall of each
    /// decides, and an install still queued or running counts as installed.
    public func presentApps(serverID: String, tenantID: String) async throws -> Set<String> {
        let counted = Wire.Job.Status.open.union([.succeeded])
        return try await pool.read(.tenant(tenantID)) { db in
            let rows = try await db.raw(
                """
                SELECT app_id, kind FROM jobs WHERE server_id = \(bind: serverID) AND tenant_id = \(bind: tenantID) AND app_id IS NOT NULL
                AND kind IN ('install', 'uninstall') AND status IN \(Self.list(counted))
                ORDER BY created_at, id
                """
            ).all()
            var present: Set<String> = []
            for row in rows {
                let app = try row.decode(column: "app_id", as: String.self)
                if try row.decode(column: "kind", as: String.self) == ScriptRole.install.rawValue {
                    present.insert(app)
                } else {
                    present.remove(app)
                }
            }
            return present
        }
    }

    /// Any tenant's job, for the agents' routes (which then check that it is addressed to them).
    public func job(id: String) async throws -> JobRecord? {
        try await pool.read(.hub) { db in try await Self.job(id: id, on: db) }
    }

    /// The job, if it belongs to `tenantID`; another tenant's jobs do not exist for the caller.
    public func job(id: String, tenantID: String) async throws -> JobRecord? {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw("SELECT * FROM jobs WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)").first().map(
                JobRecord.init(row:))
        }
    }

    /// The tenant's jobs, newest first, optionally only of one server, status or app.
    public func jobs(
        tenantID: String, serverID: String?, status: Wire.Job.Status?, appID: String?, limit: Int
    ) async throws
        -> [JobRecord]
    {
        try await pool.read(.tenant(tenantID)) { db in
            var query = db.select().column("*").from("jobs").where("tenant_id", .equal, tenantID)
            if let serverID { query = query.where("server_id", .equal, serverID) }
            if let status { query = query.where("status", .equal, status.rawValue) }
            if let appID { query = query.where("app_id", .equal, appID) }
            return try await query.orderBy("created_at", .descending).limit(limit).all().map(JobRecord.init(row:))
        }
    }

    /// When the server's earliest waiting job (one whose chain predecessor, if any, succeeded) is or
    /// was due; `nil` when none waits. One indexed read: a long poll asks this before it opens a claim
    /// transaction, which an idle fleet's polls then never need.
    ///
    /// With `unlessRunning`, `nil` also while another job runs there: the time a poll that could not
    /// claim a due job sleeps until (a job that ends notifies it), or it would spin on that job. Jobs
    /// still waiting for their predecessor never count; a result or a notification wakes those.
    public func earliestWaitingJob(serverID: String, unlessRunning: Bool = false) async throws -> Date? {
        try await pool.read(.hub) { db in
            var query: SQLQueryString = """
                SELECT MIN(next_run_at) AS due FROM jobs WHERE server_id = \(bind: serverID)
                AND status IN \(Self.list(Wire.Job.Status.waiting)) AND \(Self.predecessorSucceeded)
                """
            if unlessRunning {
                query = query + " AND NOT EXISTS (SELECT 1 FROM jobs WHERE server_id = \(bind: serverID) AND status = 'running')"
            }
            return try await db.raw(query).first()?.decode(column: "due", as: Int64?.self).map(Millis.date)
        }
    }

    /// The condition that a job of the `jobs` table waits for no predecessor, or for one that
    /// succeeded: looked up by its id, so it never reads the finished jobs as a whole.
    static let predecessorSucceeded: SQLQueryString =
        "(after_job_id IS NULL OR EXISTS (SELECT 1 FROM jobs AS before WHERE before.id = jobs.after_job_id AND before.status = 'succeeded'))"

    /// Appends masked lines to the running attempt's log, as far as the job's log stays within
    /// `cap` bytes; what goes over is counted (``JobRecord/logDroppedBytes``) and said in one line
    /// when the attempt ends. An empty batch stores nothing and only asks whether the attempt goes on.
    public func appendLog(jobID: String, attempt: Int, lines: [String], cap: Int64) async throws -> LogAppend {
        let lock = lockRows
        return try await pool.transaction(.hub) { db in
            guard
                let job = try await db.raw("SELECT * FROM jobs WHERE id = \(bind: jobID)\(unsafeRaw: lock)").first().map(
                    JobRecord.init(row:))
            else { return .unknown }
            guard job.attempt == attempt, job.status == .running else { return .notRunning(status: job.status, attempt: job.attempt) }
            var kept = ""
            var keptBytes: Int64 = 0
            var dropped: Int64 = 0
            for line in lines {
                let size = Int64(line.utf8.count + 1)
                if dropped == 0, job.logBytes + keptBytes + size <= cap {
                    kept += line + "\n"
                    keptBytes += size
                } else {
                    dropped += size
                }
            }
            if dropped > 0 {
                try await db.raw("UPDATE jobs SET log_dropped_bytes = log_dropped_bytes + \(bind: dropped) WHERE id = \(bind: jobID)").run()
            }
            guard keptBytes > 0 else { return .appended(length: job.logBytes) }
            return .appended(length: try await Self.appendChunk(kept, to: job, on: db))
        }
    }

    /// Adds `text` as the job's next log chunk and returns the log's new length.
    private static func appendChunk(_ text: String, to job: JobRecord, on db: any SQLDatabase) async throws -> Int64 {
        try await db.raw(
            """
            INSERT INTO job_logs (job_id, seq, attempt, start_offset, text)
            VALUES (\(bind: job.id), \(bind: job.logChunks), \(bind: job.attempt), \(bind: job.logBytes), \(bind: text))
            """
        ).run()
        let length = job.logBytes + Int64(text.utf8.count)
        try await db.raw("UPDATE jobs SET log_chunks = log_chunks + 1, log_bytes = \(bind: length) WHERE id = \(bind: job.id)").run()
        return length
    }

    /// At most `limit` bytes of the log from byte `offset` (fewer at its end), reading only the
    /// chunks that overlap: a 100 MB log is served in slices, never loaded whole.
    public func logSlice(jobID: String, tenantID: String, from offset: Int64, limit: Int) async throws -> [UInt8] {
        try await pool.read(.tenant(tenantID)) { db in
            let end = offset + Int64(limit)
            let rows = try await db.raw(
                """
                SELECT start_offset, text FROM job_logs WHERE job_id = \(bind: jobID)
                AND seq >= (SELECT COALESCE(MAX(seq), 0) FROM job_logs WHERE job_id = \(bind: jobID) AND start_offset <= \(bind: offset))
                AND start_offset < \(bind: end)
                ORDER BY seq
                """
            ).all()
            var bytes: [UInt8] = []
            for row in rows {
                let chunkStart = try row.decode(column: "start_offset", as: Int64.self)
                let chunk = Array(try row.decode(column: "text", as: String.self).utf8)
                let from = Int(max(0, offset - chunkStart))
                let to = Int(min(Int64(chunk.count), end - chunkStart))
                if from < to { bytes += chunk[from..<to] }
            }
            return bytes
        }
    }

    /// Writes every field a transition may change. A job that ends with log output over its cap gets
    /// one last line saying how much was dropped.
    static func save(_ job: inout JobRecord, on db: any SQLDatabase) async throws {
        if job.status.isFinal || job.status == .retrying, job.logDroppedBytes > 0 {
            let marker =
                "[steward] \(job.logDroppedBytes) bytes of output were dropped: this job's log reached its size cap (--max-log-bytes)\n"
            job.logBytes = try await appendChunk(marker, to: job, on: db)
            job.logChunks += 1
            job.logDroppedBytes = 0
        }
        try await db.raw(
            """
            UPDATE jobs SET status = \(bind: job.status.rawValue), attempt = \(bind: job.attempt),
                max_attempts = \(bind: job.maxAttempts), exit_code = \(bind: job.exitCode),
                outputs = \(bind: JSONColumn.encode(job.outputs)), error = \(bind: job.error),
                next_run_at = \(bind: Millis.from(job.nextRunAt)), lease_expires_at = \(bind: job.leaseExpiresAt.map(Millis.from)),
                started_at = \(bind: job.startedAt.map(Millis.from)), finished_at = \(bind: job.finishedAt.map(Millis.from)),
                sealed_secrets = \(bind: job.sealedSecrets), sealed_steps = \(bind: job.sealedSteps),
                step_results = \(bind: JSONColumn.encode(job.stepResults)), sealed_results = \(bind: job.sealedResults),
                sealed_outputs = \(bind: job.sealedOutputs), log_dropped_bytes = \(bind: job.logDroppedBytes),
                sealed_rollback = \(bind: job.sealedRollback), rolled_back = \(bind: job.rolledBack)
            WHERE id = \(bind: job.id)
            """
        ).run()
        if let event = job.endEvent { try await record(event, on: db) }
        if job.installationID != nil { try await settleInstallation(after: job, on: db) }
    }

    /// `('a', 'b')` for a set of statuses: SQL lists come from the types, never retyped by hand.
    static func list(_ statuses: Set<Wire.Job.Status>) -> SQLQueryString {
        "(\(unsafeRaw: statuses.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")))"
    }

    /// The clause that makes a claim take rows no other hub holds: PostgreSQL's `FOR UPDATE SKIP LOCKED`.
    /// SQLite needs none, since its write transaction already excludes every other writer.
    var skipLockedRows: String {
        pool.kind == .postgresql ? " FOR UPDATE SKIP LOCKED" : ""
    }

    /// The clause that makes a read-then-write wait for other writers of the same rows: PostgreSQL's
    /// `FOR UPDATE` (under READ COMMITTED, two transactions could otherwise both change a job from
    /// the same state). SQLite's write transaction excludes every other writer already.
    var lockRows: String {
        pool.kind == .postgresql ? " FOR UPDATE" : ""
    }

    static func job(id: String, on db: any SQLDatabase) async throws -> JobRecord? {
        try await db.raw("SELECT * FROM jobs WHERE id = \(bind: id)").first().map(JobRecord.init(row:))
    }
}
