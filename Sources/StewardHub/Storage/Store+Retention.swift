import Foundation
import SQLKit
import StewardCore

extension Store {
    // MARK: Retention

    /// Deletes the log chunks of up to `limit` jobs that finished before `finishedBefore`; returns
    /// how many jobs lost their logs (the jobs stay).
    public func purgeJobLogs(finishedBefore: Date, limit: Int) async throws -> Int {
        try await pool.transaction(.hub) { db in
            let jobs = try await db.raw(
                """
                SELECT id FROM jobs WHERE finished_at < \(bind: Millis.from(finishedBefore))
                AND EXISTS (SELECT 1 FROM job_logs l WHERE l.job_id = jobs.id) LIMIT \(bind: limit)
                """
            ).all().map { try $0.decode(column: "id", as: String.self) }
            for id in jobs { try await db.raw("DELETE FROM job_logs WHERE job_id = \(bind: id)").run() }
            return jobs.count
        }
    }

    /// Deletes up to `limit` jobs that ended before `finishedBefore`, with their logs. A job another
    /// job waits on (`after_job_id`) stays until that one goes.
    public func purgeJobs(finishedBefore: Date, limit: Int) async throws -> Int {
        try await pool.transaction(.hub) { db in
            let jobs = try await db.raw(
                """
                SELECT id FROM jobs j WHERE finished_at < \(bind: Millis.from(finishedBefore))
                AND status IN \(Self.list(Wire.Job.Status.final))
                AND NOT EXISTS (SELECT 1 FROM jobs k WHERE k.after_job_id = j.id) LIMIT \(bind: limit)
                """
            ).all().map { try $0.decode(column: "id", as: String.self) }
            for id in jobs {
                try await db.raw("DELETE FROM job_logs WHERE job_id = \(bind: id)").run()
                try await db.raw("DELETE FROM jobs WHERE id = \(bind: id)").run()
            }
            return jobs.count
        }
    }

    /// Deletes up to `limit` audit entries made before `before`, oldest first.
    public func purgeAudit(before: Date, limit: Int) async throws -> Int {
        try await pool.transaction(.hub) { db in
            try await db.raw(
                """
                DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE created_at < \(bind: Millis.from(before))
                ORDER BY id LIMIT \(bind: limit)) RETURNING id
                """
            ).all().count
        }
    }

    /// Deletes up to `limit` console sessions that expired before `expiredBefore`.
    public func purgeSessions(expiredBefore: Date, limit: Int) async throws -> Int {
        try await pool.transaction(.hub) { db in
            try await db.raw(
                """
                DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at < \(bind: Millis.from(expiredBefore))
                LIMIT \(bind: limit)) RETURNING id
                """
            ).all().count
        }
    }
}
