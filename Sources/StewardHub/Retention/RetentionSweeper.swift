import Foundation
import Logging
import ServiceLifecycle

/// Purges, every ten minutes, what is past its age (``RetentionSettings``): logs of finished jobs,
/// finished jobs, audit entries and expired sessions. Each purge deletes in batches of
/// ``batchSize`` rows, one transaction each, so a hub with years of history catches up without
/// holding locks that agents and operators wait on.
struct RetentionSweeper: Service {
    let store: Store
    let clock: HubClock
    let settings: RetentionSettings
    let ready: StartupGate
    let logger: Logger
    static let batchSize = 500
    /// A round stops after this many batches of one kind and goes on at the next round.
    static let maxBatches = 200

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            await ready.wait()
            while !Task.isCancelled {
                do {
                    let purged = try await round()
                    if purged.total > 0 { logger.info("retention purged old rows", metadata: purged.metadata) }
                } catch is CancellationError {
                    // The hub is shutting down.
                } catch {
                    logger.warning("retention purge failed; trying again later", metadata: ["error": "\(String(reflecting: error))"])
                }
                try? await Task.sleep(for: .seconds(600))
            }
        }
    }

    /// How many of each went in one round.
    struct Purged: Equatable {
        var logs = 0
        var jobs = 0
        var auditEntries = 0
        var sessions = 0

        var total: Int { logs + jobs + auditEntries + sessions }
        var metadata: Logger.Metadata {
            ["job_logs": "\(logs)", "jobs": "\(jobs)", "audit_entries": "\(auditEntries)", "sessions": "\(sessions)"]
        }
    }

    func round() async throws -> Purged {
        let now = clock.now
        func days(_ count: Int) -> Date { now.addingTimeInterval(-Double(count) * 86_400) }
        func batches(_ purge: () async throws -> Int) async throws -> Int {
            var total = 0
            for _ in 0..<Self.maxBatches {
                let removed = try await purge()
                total += removed
                // Until a batch finds nothing: a chain's head may go only after the job that waited on it.
                if removed == 0 { break }
            }
            return total
        }
        var purged = Purged()
        purged.logs = try await batches { try await store.purgeJobLogs(finishedBefore: days(settings.logDays), limit: Self.batchSize) }
        purged.jobs = try await batches { try await store.purgeJobs(finishedBefore: days(settings.jobDays), limit: Self.batchSize) }
        purged.auditEntries = try await batches { try await store.purgeAudit(before: days(settings.auditDays), limit: Self.batchSize) }
        purged.sessions = try await batches { try await store.purgeSessions(expiredBefore: days(1), limit: Self.batchSize) }
        return purged
    }
}
