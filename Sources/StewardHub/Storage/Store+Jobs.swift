import Foundation
import SQLKit
import StewardCore

/// What an operator's change to a job did.
public enum JobChange: Sendable, Equatable {
    case changed(JobRecord)
    /// The job's status does not allow the change (shown as it is).
    case refused(JobRecord)
    case unknown
}

/// What became of a reported result.
public enum ResultOutcome: Sendable, Equatable {
    case applied(JobRecord)
    /// The same attempt's result again: nothing changes.
    case duplicate(JobRecord)
    /// A result for an attempt that is not the job's current, running one.
    case stale(current: Int)
    case unknown
}

extension Store {
    public func createJob(_ job: JobRecord, audit: AuditEvent) async throws {
        try await createJobs([job], audit: audit)
    }

    /// Creates jobs together (a `requires` chain), audited once.
    public func createJobs(_ jobs: [JobRecord], audit: AuditEvent) async throws {
        try await pool.transaction { db in
            for job in jobs { try await Self.insert(job, on: db) }
            try await appendAudit(audit, on: db, at: jobs.first?.createdAt ?? Date())
        }
    }

    private static func insert(_ job: JobRecord, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO jobs (id, tenant_id, server_id, kind, app_id, app_version, inputs, sealed_secrets, secret_names,
                status, attempt, max_attempts, backoff_seconds, timeout_seconds, next_run_at, outputs, log_bytes, log_chunks,
                steps, sealed_steps, after_job_id, exclusive, requested_by, created_at)
            VALUES (\(bind: job.id), \(bind: job.tenantID), \(bind: job.serverID), \(bind: job.kind), \(bind: job.appID),
                \(bind: job.appVersion), \(bind: JSONColumn.encode(job.inputs)), \(bind: job.sealedSecrets),
                \(bind: JSONColumn.encode(job.secretNames)), \(bind: job.status.rawValue), 0, \(bind: job.maxAttempts),
                \(bind: JSONColumn.encode(job.backoffSeconds)), \(bind: job.timeoutSeconds), \(bind: Millis.from(job.nextRunAt)),
                '{}', 0, 0, \(bind: JSONColumn.encode(job.steps)), \(bind: job.sealedSteps), \(bind: job.afterJobID),
                \(bind: job.exclusive ? 1 : 0), \(bind: job.requestedBy), \(bind: Millis.from(job.createdAt)))
            """
        ).run()
    }

    /// Apps installed on the server, or on their way: the last finished install or uninstall of each
    /// decides, and an install still queued or running counts as installed.
    public func presentApps(serverID: String) async throws -> Set<String> {
        try await pool.read { db in
            let rows = try await db.raw(
                """
                SELECT app_id, kind, status FROM jobs WHERE server_id = \(bind: serverID) AND app_id IS NOT NULL
                AND kind IN ('install', 'uninstall') AND status IN ('succeeded', 'queued', 'running', 'retrying')
                ORDER BY created_at, id
                """
            ).all()
            var present: Set<String> = []
            for row in rows {
                let app = try row.decode(column: "app_id", as: String.self)
                if try row.decode(column: "kind", as: String.self) == "install" { present.insert(app) } else { present.remove(app) }
            }
            return present
        }
    }

    /// Cancels queued jobs whose predecessor ended without success, and returns them.
    public func cancelOrphanedJobs(now: Date) async throws -> [JobRecord] {
        let lock = skipLockedRows
        return try await pool.transaction { db in
            let orphans = try await db.raw(
                """
                SELECT * FROM jobs WHERE status = 'queued' AND after_job_id IN (
                    SELECT id FROM jobs WHERE status IN ('failed', 'needs_attention', 'timed_out', 'dead', 'cancelled'))\(unsafeRaw: lock)
                """
            ).all().map(JobRecord.init(row:))
            var cancelled: [JobRecord] = []
            for var job in orphans {
                job.status = .cancelled
                job.error = "job \(job.afterJobID ?? ""), which this one waits for, did not succeed"
                try await Self.settle(&job, now: now, backoffScale: 1, on: db)
                cancelled.append(job)
            }
            return cancelled
        }
    }

    public func job(id: String) async throws -> JobRecord? {
        try await pool.read { db in try await Self.job(id: id, on: db) }
    }

    /// The job, if it belongs to `tenantID`; another tenant's jobs do not exist for the caller.
    public func job(id: String, tenantID: String) async throws -> JobRecord? {
        guard let job = try await job(id: id), job.tenantID == tenantID else { return nil }
        return job
    }

    /// The tenant's jobs, newest first, optionally only of one server, status or app.
    public func jobs(
        tenantID: String, serverID: String?, status: Wire.Job.Status?, appID: String?, limit: Int
    ) async throws
        -> [JobRecord]
    {
        try await pool.read { db in
            var query = db.select().column("*").from("jobs").where("tenant_id", .equal, tenantID)
            if let serverID { query = query.where("server_id", .equal, serverID) }
            if let status { query = query.where("status", .equal, status.rawValue) }
            if let appID { query = query.where("app_id", .equal, appID) }
            return try await query.orderBy("created_at", .descending).limit(limit).all().map(JobRecord.init(row:))
        }
    }

    /// Hands the server's next due job to its agent, oldest first. An exclusive job runs alone; others
    /// run beside each other up to `concurrency` (the agent's limit, 1 by default).
    /// Atomic on both databases: SQLite's single writer, PostgreSQL's row lock with `SKIP LOCKED`.
    public func claimNextJob(serverID: String, now: Date, lease: TimeInterval, concurrency: Int = 1) async throws -> JobRecord? {
        let lock = skipLockedRows
        return try await pool.transaction { db in
            let running = try await db.raw(
                "SELECT exclusive FROM jobs WHERE server_id = \(bind: serverID) AND status = 'running'"
            ).all().map { try $0.decode(column: "exclusive", as: Int.self) != 0 }
            guard !running.contains(true), running.count < concurrency else { return nil }
            guard
                var job = try await db.raw(
                    """
                    SELECT * FROM jobs WHERE server_id = \(bind: serverID) AND status IN ('queued', 'retrying')
                    AND next_run_at <= \(bind: Millis.from(now))
                    AND (after_job_id IS NULL OR after_job_id IN (SELECT id FROM jobs WHERE status = 'succeeded'))
                    ORDER BY created_at, id LIMIT 1\(unsafeRaw: lock)
                    """
                ).first().map(JobRecord.init(row:))
            else { return nil }
            guard !job.exclusive || running.isEmpty else { return nil }
            job.status = .running
            job.attempt += 1
            job.startedAt = now
            job.leaseExpiresAt = now.addingTimeInterval(lease)
            try await db.raw(
                """
                UPDATE jobs SET status = 'running', attempt = \(bind: job.attempt), started_at = \(bind: Millis.from(now)),
                    lease_expires_at = \(bind: job.leaseExpiresAt.map(Millis.from))
                WHERE id = \(bind: job.id)
                """
            ).run()
            return job
        }
    }

    /// Marks running attempts whose lease ran out as lost, which the contract treats like exit 2.
    /// Returns the jobs changed. Safe with several hubs: each expired row is taken by one of them.
    public func expireLeases(now: Date, backoffScale: Double) async throws -> [JobRecord] {
        let lock = skipLockedRows
        return try await pool.transaction { db in
            let expired = try await db.raw(
                """
                SELECT * FROM jobs WHERE status = 'running' AND lease_expires_at < \(bind: Millis.from(now))\(unsafeRaw: lock)
                """
            ).all().map(JobRecord.init(row:))
            var changed: [JobRecord] = []
            for var job in expired {
                job.exitCode = nil
                job.status = ExitCodeContract.status(exitCode: nil, attempt: job.attempt, maxAttempts: job.maxAttempts)
                job.error = "attempt \(job.attempt) was lost: the agent stopped reporting before its lease ran out"
                try await Self.settle(&job, now: now, backoffScale: backoffScale, on: db)
                changed.append(job)
            }
            return changed
        }
    }

    /// When the server's next waiting job becomes due, if it has one that can run by time alone: not
    /// while another job runs there, and not for jobs still waiting for their predecessor (a result
    /// or a notification wakes those), or a long poll would spin on them.
    public func nextDueTime(serverID: String) async throws -> Date? {
        try await pool.read { db in
            try await db.raw(
                """
                SELECT MIN(next_run_at) AS due FROM jobs WHERE server_id = \(bind: serverID) AND status IN ('queued', 'retrying')
                AND (after_job_id IS NULL OR after_job_id IN (SELECT id FROM jobs WHERE status = 'succeeded'))
                AND NOT EXISTS (SELECT 1 FROM jobs WHERE server_id = \(bind: serverID) AND status = 'running')
                """
            ).first()?.decode(column: "due", as: Int64?.self).map(Millis.date)
        }
    }

    /// Appends masked lines to the attempt's log and returns the log's new length in bytes; `nil` when
    /// `attempt` is not the job's running attempt (stale, or the job was cancelled), and nothing is stored.
    /// An empty batch stores nothing and only asks whether the attempt should go on.
    public func appendLog(jobID: String, attempt: Int, lines: [String]) async throws -> Int64? {
        let text = lines.map { $0 + "\n" }.joined()
        return try await pool.transaction { db in
            guard let job = try await Self.job(id: jobID, on: db), job.attempt == attempt, job.status == .running else { return nil }
            guard !text.isEmpty else { return job.logBytes }
            try await db.raw(
                """
                INSERT INTO job_logs (job_id, seq, attempt, start_offset, text)
                VALUES (\(bind: jobID), \(bind: job.logChunks), \(bind: attempt), \(bind: job.logBytes), \(bind: text))
                """
            ).run()
            let length = job.logBytes + Int64(text.utf8.count)
            try await db.raw(
                "UPDATE jobs SET log_chunks = log_chunks + 1, log_bytes = \(bind: length) WHERE id = \(bind: jobID)"
            ).run()
            return length
        }
    }

    /// Cancels a job that has not finished: a queued or retrying one never runs, a running one is
    /// marked cancelled at once and its agent stops the script when it next reports.
    public func cancelJob(id: String, tenantID: String, at now: Date, audit: AuditEvent) async throws -> JobChange {
        try await pool.transaction { db in
            guard var job = try await Self.job(id: id, on: db), job.tenantID == tenantID else { return .unknown }
            guard !job.status.isFinal else { return .refused(job) }
            job.status = .cancelled
            job.error = "cancelled by \(audit.actor)"
            try await Self.settle(&job, now: now, backoffScale: 1, on: db)
            try await appendAudit(audit, on: db, at: now)
            return .changed(job)
        }
    }

    /// Queues a finished job again, with a fresh budget of `attempts` automatic attempts and the
    /// secret inputs sealed anew (they were erased when it finished). Attempts keep counting up.
    public func retryJob(
        id: String, tenantID: String, attempts: Int, sealedSecrets: String?, at now: Date, audit: AuditEvent
    ) async throws -> JobChange {
        try await pool.transaction { db in
            guard var job = try await Self.job(id: id, on: db), job.tenantID == tenantID else { return .unknown }
            guard job.status.isFinal, job.status != .succeeded else { return .refused(job) }
            job.status = .queued
            job.maxAttempts = job.attempt + attempts
            job.sealedSecrets = sealedSecrets
            job.nextRunAt = now
            job.exitCode = nil
            job.error = nil
            job.finishedAt = nil
            job.outputs = [:]
            job.stepResults = []
            try await db.raw(
                """
                UPDATE jobs SET status = 'queued', max_attempts = \(bind: job.maxAttempts), sealed_secrets = \(bind: sealedSecrets),
                    next_run_at = \(bind: Millis.from(now)), exit_code = NULL, error = NULL, finished_at = NULL, outputs = '{}',
                    step_results = '[]'
                WHERE id = \(bind: id)
                """
            ).run()
            try await appendAudit(audit, on: db, at: now)
            return .changed(job)
        }
    }

    /// Running attempts get `window` more time: after a hub restart, agents could not renew their leases
    /// while it was down, and that must not count against them.
    public func extendRunningLeases(until: Date) async throws {
        try await pool.read { db in
            try await db.raw(
                """
                UPDATE jobs SET lease_expires_at = \(bind: Millis.from(until))
                WHERE status = 'running' AND lease_expires_at < \(bind: Millis.from(until))
                """
            ).run()
        }
    }

    /// The log from byte `offset`, or its last `tail` bytes, reading only the chunks that overlap.
    public func log(jobID: String, offset: Int64?, tail: Int64?) async throws -> String {
        try await pool.read { db in
            guard let job = try await Self.job(id: jobID, on: db) else { return "" }
            let start = max(0, tail.map { job.logBytes - $0 } ?? offset ?? 0)
            let rows = try await db.raw(
                """
                SELECT start_offset, text FROM job_logs WHERE job_id = \(bind: jobID)
                AND seq >= (SELECT COALESCE(MAX(seq), 0) FROM job_logs WHERE job_id = \(bind: jobID) AND start_offset <= \(bind: start))
                ORDER BY seq
                """
            ).all()
            var bytes: [UInt8] = []
            for row in rows {
                let chunkStart = try row.decode(column: "start_offset", as: Int64.self)
                let chunk = Array(try row.decode(column: "text", as: String.self).utf8)
                let skip = Int(max(0, start - chunkStart))
                if skip < chunk.count { bytes += chunk[skip...] }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Applies the exit-code contract to an attempt's result. Idempotent per (job, attempt).
    public func recordResult(
        jobID: String, result: Wire.Job.Result, backoffScale: Double, now: Date
    ) async throws -> ResultOutcome {
        try await pool.transaction { db in
            guard var job = try await Self.job(id: jobID, on: db) else { return .unknown }
            if job.attempt == result.attempt, job.status != .running, job.status != .queued {
                return .duplicate(job)
            }
            guard job.attempt == result.attempt, job.status == .running else { return .stale(current: job.attempt) }
            job.exitCode = result.exitCode
            job.outputs = result.outputs
            job.stepResults = result.steps
            if let refusal = result.refusal {
                job.status = .failed
                job.error = "the agent refused the job: \(refusal)"
            } else {
                job.status = ExitCodeContract.status(exitCode: result.exitCode, attempt: job.attempt, maxAttempts: job.maxAttempts)
                job.error = job.status == .dead ? "gave up after \(job.attempt) attempts" : nil
            }
            try await Self.settle(&job, now: now, backoffScale: backoffScale, on: db)
            return .applied(job)
        }
    }

    /// Ends a running attempt as `failed` for a reason of the hub's own (no exit code).
    public func failAttempt(jobID: String, attempt: Int, reason: String, now: Date) async throws -> ResultOutcome {
        try await pool.transaction { db in
            guard var job = try await Self.job(id: jobID, on: db) else { return .unknown }
            guard job.attempt == attempt, job.status == .running else { return .stale(current: job.attempt) }
            job.status = .failed
            job.error = reason
            try await Self.settle(&job, now: now, backoffScale: 1, on: db)
            return .applied(job)
        }
    }

    /// Writes `job`'s new status: a retry gets its next run time; a final job gets its end time and
    /// loses its sealed secrets, which nothing will need again.
    static func settle(_ job: inout JobRecord, now: Date, backoffScale: Double, on db: any SQLDatabase) async throws {
        if job.status == .retrying {
            let delays = job.backoffSeconds.isEmpty ? [60] : job.backoffSeconds
            let delay = Double(delays[min(job.attempt - 1, delays.count - 1)]) * backoffScale
            job.nextRunAt = now.addingTimeInterval(delay)
        }
        if job.status.isFinal {
            job.finishedAt = now
            job.sealedSecrets = nil
            job.sealedSteps = nil
        }
        job.leaseExpiresAt = nil
        try await db.raw(
            """
            UPDATE jobs SET status = \(bind: job.status.rawValue), exit_code = \(bind: job.exitCode),
                outputs = \(bind: JSONColumn.encode(job.outputs)), error = \(bind: job.error),
                next_run_at = \(bind: Millis.from(job.nextRunAt)), lease_expires_at = NULL,
                finished_at = \(bind: job.finishedAt.map(Millis.from)), sealed_secrets = \(bind: job.sealedSecrets),
                sealed_steps = \(bind: job.sealedSteps), step_results = \(bind: JSONColumn.encode(job.stepResults))
            WHERE id = \(bind: job.id)
            """
        ).run()
    }

    /// The clause that makes a claim take rows no other hub holds: PostgreSQL's `FOR UPDATE SKIP LOCKED`.
    /// SQLite needs none, since its write transaction already excludes every other writer.
    private var skipLockedRows: String {
        pool.kind == .postgresql ? " FOR UPDATE SKIP LOCKED" : ""
    }

    static func job(id: String, on db: any SQLDatabase) async throws -> JobRecord? {
        try await db.raw("SELECT * FROM jobs WHERE id = \(bind: id)").first().map(JobRecord.init(row:))
    }
}
