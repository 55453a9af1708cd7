import Foundation
import SQLKit
import StewardCore

/// A job as stored.
public struct JobRecord: Sendable, Equatable {
    public var id: String
    public var tenantID: String
    public var serverID: String
    public var kind: JobKind
    public var appID: String?
    public var appVersion: String?
    /// Non-secret input values by environment name; secrets are sealed apart.
    public var inputs: [String: String]
    public var sealedSecrets: String?
    public var secretNames: [String]
    public var status: Wire.Job.Status
    public var attempt: Int
    public var maxAttempts: Int
    public var backoffSeconds: [Int]
    public var timeoutSeconds: Int
    public var nextRunAt: Date
    public var leaseExpiresAt: Date?
    public var exitCode: Int?
    public var outputs: [String: String]
    public var error: String?
    public var logBytes: Int64
    public var logChunks: Int64
    /// A step job's steps as shown (``Wire/Job/Step/masked``); empty for app jobs.
    public var steps: [Wire.Job.Step] = []
    /// A step job's steps as sent, sealed; `nil` once the job has ended.
    public var sealedSteps: String?
    /// How each step of the last attempt ended, with read contents and values masked.
    public var stepResults: [Wire.Job.StepResult] = []
    /// The same results as the agent sent them, sealed: what a file or `env.read` returned.
    public var sealedResults: String?
    /// Outputs the app declares secret, fixed when the job was queued.
    public var secretOutputs: [String] = []
    /// The values of those outputs, sealed; `outputs` shows them masked.
    public var sealedOutputs: String?
    /// An app job's script, fixed when the job was queued (its bytes are in `job_scripts`).
    public var scriptSHA256: String?
    /// Log output refused because the log reached its cap, since the last marker line.
    public var logDroppedBytes: Int64 = 0
    /// The job that must succeed before this one may run (a dependency's install).
    public var afterJobID: String?
    /// Whether the job must run alone on its server; see ``Wire/Job/Step/Kind/allowsConcurrency``.
    public var exclusive = true
    /// The installation the job acts on (``InstallationRecord``), if any.
    public var installationID: String?
    /// What undoes the job when a later step fails (an upgrade's snapshot restore), sealed like
    /// the steps; `nil` once the job has ended.
    public var sealedRollback: String?
    /// Set when a step failed and the rollback ran: whether it put everything back.
    public var rolledBack: Bool?
    /// An install's or upgrade's app version with all its scripts, fixed when it was queued; the
    /// installation's once the job succeeds.
    public var release: AppRelease?
    public var requestedBy: String
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?

    public init(
        id: String, tenantID: String, serverID: String, kind: JobKind, appID: String?, appVersion: String?, inputs: [String: String],
        sealedSecrets: String?, secretNames: [String], maxAttempts: Int, backoffSeconds: [Int], timeoutSeconds: Int,
        requestedBy: String, createdAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.serverID = serverID
        self.kind = kind
        self.appID = appID
        self.appVersion = appVersion
        self.inputs = inputs
        self.sealedSecrets = sealedSecrets
        self.secretNames = secretNames
        self.status = .queued
        self.attempt = 0
        self.maxAttempts = maxAttempts
        self.backoffSeconds = backoffSeconds
        self.timeoutSeconds = timeoutSeconds
        self.nextRunAt = createdAt
        self.outputs = [:]
        self.logBytes = 0
        self.logChunks = 0
        self.requestedBy = requestedBy
        self.createdAt = createdAt
    }

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        serverID = try row.decode(column: "server_id", as: String.self)
        let kindText = try row.decode(column: "kind", as: String.self)
        guard let kind = JobKind(rawValue: kindText) else { throw StoreError("job \(id) has unknown kind \(kindText)") }
        self.kind = kind
        appID = try row.decode(column: "app_id", as: String?.self)
        appVersion = try row.decode(column: "app_version", as: String?.self)
        inputs = try JSONColumn.decode([String: String].self, from: row.decode(column: "inputs", as: String.self))
        sealedSecrets = try row.decode(column: "sealed_secrets", as: String?.self)
        secretNames = try JSONColumn.decode([String].self, from: row.decode(column: "secret_names", as: String.self))
        let statusText = try row.decode(column: "status", as: String.self)
        guard let status = Wire.Job.Status(rawValue: statusText) else { throw StoreError("job \(id) has unknown status \(statusText)") }
        self.status = status
        attempt = try row.decode(column: "attempt", as: Int.self)
        maxAttempts = try row.decode(column: "max_attempts", as: Int.self)
        backoffSeconds = try JSONColumn.decode([Int].self, from: row.decode(column: "backoff_seconds", as: String.self))
        timeoutSeconds = try row.decode(column: "timeout_seconds", as: Int.self)
        nextRunAt = Millis.date(try row.decode(column: "next_run_at", as: Int64.self))
        leaseExpiresAt = try row.decode(column: "lease_expires_at", as: Int64?.self).map(Millis.date)
        exitCode = try row.decode(column: "exit_code", as: Int?.self)
        outputs = try JSONColumn.decode([String: String].self, from: row.decode(column: "outputs", as: String.self))
        error = try row.decode(column: "error", as: String?.self)
        logBytes = try row.decode(column: "log_bytes", as: Int64.self)
        logChunks = try row.decode(column: "log_chunks", as: Int64.self)
        steps = try JSONColumn.decode([Wire.Job.Step].self, from: row.decode(column: "steps", as: String.self))
        sealedSteps = try row.decode(column: "sealed_steps", as: String?.self)
        stepResults = try JSONColumn.decode([Wire.Job.StepResult].self, from: row.decode(column: "step_results", as: String.self))
        sealedResults = try row.decode(column: "sealed_results", as: String?.self)
        secretOutputs = try JSONColumn.decode([String].self, from: row.decode(column: "secret_outputs", as: String.self))
        sealedOutputs = try row.decode(column: "sealed_outputs", as: String?.self)
        scriptSHA256 = try row.decode(column: "script_sha256", as: String?.self)
        logDroppedBytes = try row.decode(column: "log_dropped_bytes", as: Int64.self)
        afterJobID = try row.decode(column: "after_job_id", as: String?.self)
        exclusive = try row.decode(column: "exclusive", as: Int.self) != 0
        installationID = try row.decode(column: "installation_id", as: String?.self)
        sealedRollback = try row.decode(column: "sealed_rollback", as: String?.self)
        rolledBack = try row.decode(column: "rolled_back", as: Bool?.self)
        release = try row.decode(column: "release", as: String?.self).map { try JSONColumn.decode(AppRelease.self, from: $0) }
        requestedBy = try row.decode(column: "requested_by", as: String.self)
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
        startedAt = try row.decode(column: "started_at", as: Int64?.self).map(Millis.date)
        finishedAt = try row.decode(column: "finished_at", as: Int64?.self).map(Millis.date)
    }

    /// The job as operators see it: secret inputs masked.
    public var info: Wire.Job.Info {
        var shown = inputs
        for name in secretNames { shown[name] = SecretMasker.mask }
        var info = Wire.Job.Info(
            id: id, serverID: serverID, kind: kind.rawValue, appID: appID, appVersion: appVersion, inputs: shown, status: status,
            attempt: attempt, maxAttempts: maxAttempts, exitCode: exitCode, outputs: outputs, error: error, requestedBy: requestedBy,
            createdAt: createdAt, startedAt: startedAt, finishedAt: finishedAt,
            nextRunAt: status == .queued || status == .retrying ? nextRunAt : nil)
        info.steps = steps
        info.stepResults = stepResults
        info.afterJobID = afterJobID
        info.installationID = installationID
        info.rolledBack = rolledBack
        return info
    }

    /// The event that announces the job's status as it is now.
    public var statusEvent: Wire.Event {
        let kind: Wire.Event.Kind =
            switch status {
            case .queued: .jobQueued
            case .running: .jobStarted
            case .retrying: .jobRetrying
            case .succeeded, .failed, .needsAttention, .timedOut, .dead, .cancelled: .jobFinished
            }
        return Wire.Event(
            kind: kind, at: Date(), tenantID: tenantID, serverID: serverID, jobID: id, appID: appID, status: status.rawValue,
            attempt: attempt, exitCode: exitCode, nextRunAt: status == .retrying ? nextRunAt : nil)
    }

    /// The event that says the log grew to `length` bytes.
    public func logEvent(length: Int64) -> Wire.Event {
        Wire.Event(
            kind: .jobLog, at: Date(), tenantID: tenantID, serverID: serverID, jobID: id, appID: appID, status: status.rawValue,
            attempt: attempt, logBytes: length)
    }
}

extension JobRecord {
    /// The statuses of a job that ended badly, each recorded as a `job.<status>` event.
    static let eventfulEnds: Set<Wire.Job.Status> = [.failed, .dead, .needsAttention, .timedOut]

    /// The stored event of this attempt ending badly; `nil` while it runs or when it succeeded.
    var endEvent: FleetEventRecord? {
        guard Self.eventfulEnds.contains(status), let finishedAt else { return nil }
        let what = appID.map { "\(kind) of \($0)" } ?? "\(kind) job"
        let detail = error.map { ": \($0.prefix(200))" } ?? exitCode.map { ": exit code \($0)" } ?? ""
        return FleetEventRecord(
            tenantID: tenantID, serverID: serverID, jobID: id, kind: "job.\(status.rawValue)",
            severity: status == .failed ? .warning : .critical,
            message: "\(what) ended \(status.rawValue.replacingOccurrences(of: "_", with: " "))\(detail)",
            dedupeKey: "job:\(id):\(attempt):\(status.rawValue)", at: finishedAt)
    }
}
