import Foundation
import SQLKit
import StewardCore

extension Store {
    public func createRollout(_ rollout: RolloutRecord, targets: [RolloutTargetRecord], audit: AuditEvent?) async throws {
        try await pool.transaction(.tenant(rollout.tenantID)) { db in
            try await db.raw(
                """
                INSERT INTO rollouts (id, tenant_id, action, app_id, sealed_request, selector, batch_size, max_failures, pause_seconds,
                    on_failure, status, current_batch, batch_done_at, requested_by, requester, created_at, finished_at)
                VALUES (\(bind: rollout.id), \(bind: rollout.tenantID), \(bind: rollout.action.rawValue), \(bind: rollout.appID),
                    \(bind: rollout.sealedRequest), \(bind: JSONColumn.encode(rollout.selector)), \(bind: rollout.batchSize),
                    \(bind: rollout.maxFailures), \(bind: rollout.pauseSeconds), \(bind: rollout.continueOnFailure ? "continue" : "stop"),
                    \(bind: rollout.status.rawValue), \(bind: rollout.currentBatch), NULL, \(bind: rollout.requestedBy),
                    \(bind: JSONColumn.encode(rollout.requester)), \(bind: Millis.from(rollout.createdAt)), NULL)
                """
            ).run()
            for target in targets {
                try await db.raw(
                    """
                    INSERT INTO rollout_targets (rollout_id, tenant_id, server_id, position, batch, job_id, status, error, claimed_at)
                    VALUES (\(bind: target.rolloutID), \(bind: target.tenantID), \(bind: target.serverID), \(bind: target.position),
                        \(bind: target.batch), NULL, \(bind: target.status.rawValue), \(bind: target.error), NULL)
                    """
                ).run()
            }
            if let audit { try await appendAudit(audit, on: db, at: rollout.createdAt) }
        }
    }

    public func rollout(id: String, tenantID: String) async throws -> RolloutRecord? {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw("SELECT * FROM rollouts WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)").first()
                .map(RolloutRecord.init(row:))
        }
    }

    /// The tenant's rollouts, newest first.
    public func rollouts(tenantID: String, limit: Int = 100) async throws -> [RolloutRecord] {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw(
                "SELECT * FROM rollouts WHERE tenant_id = \(bind: tenantID) ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)"
            ).all().map(RolloutRecord.init(row:))
        }
    }

    /// The rollout's servers in the order they were picked.
    public func rolloutTargets(rolloutID: String, tenantID: String) async throws -> [RolloutTargetRecord] {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw(
                """
                SELECT * FROM rollout_targets WHERE rollout_id = \(bind: rolloutID) AND tenant_id = \(bind: tenantID)
                ORDER BY position
                """
            ).all().map(RolloutTargetRecord.init(row:))
        }
    }

    /// Every tenant's running rollouts, for the runner that moves them on.
    public func runningRollouts() async throws -> [RolloutRecord] {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT * FROM rollouts WHERE status = 'running' ORDER BY created_at").all().map(RolloutRecord.init(row:))
        }
    }

    /// Moves the rollout from batch `from` to the next; `false` when another hub did, or it is over.
    public func claimNextBatch(rolloutID: String, from: Int) async throws -> Bool {
        try await pool.read(.hub) { db in
            try await !db.raw(
                """
                UPDATE rollouts SET current_batch = \(bind: from + 1), batch_done_at = NULL
                WHERE id = \(bind: rolloutID) AND current_batch = \(bind: from) AND status = 'running'
                RETURNING id
                """
            ).all().isEmpty
        }
    }

    /// Notes when the current batch ended (once): the next waits its pause from then.
    public func markBatchDone(rolloutID: String, batch: Int, at: Date) async throws {
        try await pool.read(.hub) { db in
            try await db.raw(
                """
                UPDATE rollouts SET batch_done_at = \(bind: Millis.from(at))
                WHERE id = \(bind: rolloutID) AND current_batch = \(bind: batch) AND batch_done_at IS NULL
                """
            ).run()
        }
    }

    /// Takes a pending target to queue its job; `false` when another hub has it.
    public func claimTarget(rolloutID: String, serverID: String, at: Date) async throws -> Bool {
        try await pool.read(.hub) { db in
            try await !db.raw(
                """
                UPDATE rollout_targets SET status = 'queueing', claimed_at = \(bind: Millis.from(at))
                WHERE rollout_id = \(bind: rolloutID) AND server_id = \(bind: serverID) AND status = 'pending'
                RETURNING server_id
                """
            ).all().isEmpty
        }
    }

    /// Records what became of a target (its job, its status, why it failed).
    public func updateTarget(
        rolloutID: String, serverID: String, jobID: String?, status: RolloutTargetRecord.Status, error: String?
    ) async throws {
        try await pool.read(.hub) { db in
            try await db.raw(
                """
                UPDATE rollout_targets SET job_id = COALESCE(\(bind: jobID), job_id), status = \(bind: status.rawValue),
                    error = COALESCE(\(bind: error), error)
                WHERE rollout_id = \(bind: rolloutID) AND server_id = \(bind: serverID)
                """
            ).run()
        }
    }

    /// Ends a running rollout with `status`; the targets not yet started are `skipped` (or
    /// `cancelled`). `false` when it had ended already.
    public func finishRollout(
        id: String, tenantID: String, status: RolloutRecord.Status, at: Date, audit: AuditEvent? = nil
    ) async throws -> Bool {
        let rest: RolloutTargetRecord.Status = status == .cancelled ? .cancelled : .skipped
        return try await pool.transaction(.tenant(tenantID)) { db in
            let changed = try await !db.raw(
                """
                UPDATE rollouts SET status = \(bind: status.rawValue), finished_at = \(bind: Millis.from(at))
                WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID) AND status = 'running'
                RETURNING id
                """
            ).all().isEmpty
            guard changed else { return false }
            try await db.raw(
                "UPDATE rollout_targets SET status = \(bind: rest.rawValue) WHERE rollout_id = \(bind: id) AND status = 'pending'"
            ).run()
            if let audit { try await appendAudit(audit, on: db, at: at) }
            return true
        }
    }
}
