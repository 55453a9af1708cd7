import Foundation
import StewardCore

/// The job state machine: every change of a job's status, as pure functions on a ``JobRecord``.
///
/// Storage loads a job under a row lock, one of these decides, storage saves the record, all in one
/// transaction (``Store/updateJob(id:tenantID:audit:at:_:)``). Nothing here reads a clock or a database:
/// time comes in as `now`, so each rule is tested as it is.
///
/// ```
/// queued ──claim──► running ──result──► succeeded | failed | needs_attention | timed_out
///   ▲                 │  ▲                  │
///   │                 │  └──claim── retrying ◄── exit 2, or the attempt was lost
///   └── retry ◄───────┴──────────── dead (attempts used up) | cancelled
/// ```
public enum JobLifecycle {
    /// How an attempt's result was taken.
    public enum ResultVerdict: Sendable, Equatable {
        case applied
        /// The same attempt's result again, or one for an attempt that was ended meanwhile (cancelled,
        /// lost): nothing changes, and the agent may forget it.
        case duplicate
        /// A result for an attempt the job never reached or left behind: the job is at `current`.
        case stale(current: Int)
    }

    /// The next attempt starts: the agent holds a lease on it for `lease` seconds unless it renews it.
    public static func claim(_ job: inout JobRecord, now: Date, lease: TimeInterval) {
        precondition(Wire.Job.Status.waiting.contains(job.status), "only a waiting job can be claimed")
        job.status = .running
        job.attempt += 1
        job.startedAt = now
        job.leaseExpiresAt = now.addingTimeInterval(lease)
        job.exitCode = nil
        job.error = nil
    }

    /// Applies the exit-code contract to an attempt's result. `sealedResults` and `sealedOutputs` hold
    /// the read results and the secret outputs as sent; `result` must already be masked for showing.
    public static func finish(
        _ job: inout JobRecord, with result: Wire.Job.Result, sealedResults: String?, sealedOutputs: String? = nil, now: Date,
        backoffScale: Double
    ) -> ResultVerdict {
        guard job.attempt == result.attempt else { return .stale(current: job.attempt) }
        guard job.status == .running else {
            // Its attempt ended otherwise (cancelled, lost, finished before): the agent may forget it.
            return job.status == .queued ? .stale(current: job.attempt) : .duplicate
        }
        job.exitCode = result.exitCode
        job.outputs = result.outputs
        job.stepResults = result.steps
        job.sealedResults = sealedResults
        job.sealedOutputs = sealedOutputs
        job.rolledBack = result.exitCode == 0 ? nil : result.rolledBack
        if let refusal = result.refusal {
            job.status = .failed
            job.error = "the agent refused the job: \(refusal)"
        } else if let rolledBack = job.rolledBack {
            // A job that was put back is over: running it again is an operator's decision. One whose
            // rollback failed left the server half-changed, which an operator must look at.
            let failed = result.steps.first { $0.exitCode != 0 }
            let reason = failed.map { "step \($0.index + 1) (\($0.type.rawValue)) failed with exit code \($0.exitCode)" } ?? "a step failed"
            if rolledBack {
                job.status = .failed
                job.error = "\(reason); rolled back to the snapshot taken before it"
            } else {
                let undo = result.steps.last { $0.exitCode != 0 && $0.index != failed?.index }
                job.status = .needsAttention
                job.error = "\(reason), and the rollback failed too" + (undo?.error.map { ": \($0)" } ?? "")
            }
        } else {
            job.status = ExitCodeContract.status(exitCode: result.exitCode, attempt: job.attempt, maxAttempts: job.maxAttempts)
            job.error = job.status == .dead ? "gave up after \(job.attempt) attempts" : nil
        }
        settle(&job, now: now, backoffScale: backoffScale)
        return .applied
    }

    /// The running attempt was lost (its agent went silent, or restarted without it): the contract
    /// treats that like exit code 2, retried with backoff until the attempts are used up.
    public static func lose(_ job: inout JobRecord, reason: String, now: Date, backoffScale: Double) {
        precondition(job.status == .running, "only a running attempt can be lost")
        job.exitCode = nil
        job.status = ExitCodeContract.status(exitCode: nil, attempt: job.attempt, maxAttempts: job.maxAttempts)
        job.error = "attempt \(job.attempt) was lost: \(reason)"
        settle(&job, now: now, backoffScale: backoffScale)
    }

    /// Ends the running attempt as `failed` for a reason of the hub's own (no exit code).
    public static func fail(_ job: inout JobRecord, reason: String, now: Date) {
        job.status = .failed
        job.error = reason
        settle(&job, now: now, backoffScale: 1)
    }

    /// Cancels a job that has not finished: a waiting one never runs, a running one is marked
    /// cancelled at once and its agent stops the script when it next reports. `false` when it is over.
    public static func cancel(_ job: inout JobRecord, reason: String, now: Date) -> Bool {
        guard !job.status.isFinal else { return false }
        job.status = .cancelled
        job.error = reason
        settle(&job, now: now, backoffScale: 1)
        return true
    }

    /// Queues a job that ended without success again, with a fresh budget of `attempts` automatic
    /// attempts and its secret inputs sealed anew (they were erased when it ended). Attempt numbers
    /// keep counting up, so a late result of an old attempt is recognised as stale.
    public static func requeue(_ job: inout JobRecord, attempts: Int, sealedSecrets: String?, now: Date) -> Bool {
        guard Wire.Job.Status.unsuccessful.contains(job.status) else { return false }
        job.status = .queued
        job.maxAttempts = job.attempt + attempts
        job.sealedSecrets = sealedSecrets
        job.nextRunAt = now
        job.exitCode = nil
        job.error = nil
        job.finishedAt = nil
        job.outputs = [:]
        job.stepResults = []
        job.sealedResults = nil
        job.sealedOutputs = nil
        job.rolledBack = nil
        return true
    }

    /// The delay before retry number `attempt + 1`: the job's backoff list (its last entry repeats).
    public static func backoff(_ job: JobRecord, scale: Double) -> TimeInterval {
        let delays = job.backoffSeconds.isEmpty ? [60] : job.backoffSeconds
        return Double(delays[min(max(job.attempt, 1) - 1, delays.count - 1)]) * scale
    }

    /// What every change that ends an attempt does: a retry gets its next run time; a final job gets
    /// its end time and loses its sealed inputs and steps, which nothing will need again.
    private static func settle(_ job: inout JobRecord, now: Date, backoffScale: Double) {
        if job.status == .retrying { job.nextRunAt = now.addingTimeInterval(backoff(job, scale: backoffScale)) }
        if job.status.isFinal {
            job.finishedAt = now
            job.sealedSecrets = nil
            job.sealedSteps = nil
            job.sealedRollback = nil
        }
        job.leaseExpiresAt = nil
    }
}
