import Foundation
import SQLKit
import StewardCore

/// A rollout: one job per server that its selector picked, queued a batch at a time.
public struct RolloutRecord: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case running, succeeded, failed, cancelled
    }

    public enum Action: String, Sendable, CaseIterable {
        case install, upgrade, steps
    }

    public var id: String
    public var tenantID: String
    public var action: Action
    public var appID: String?
    /// The whole request (inputs and steps may hold secrets), sealed with the master key.
    public var sealedRequest: String
    public var selector: [String: String]
    public var batchSize: Int
    public var maxFailures: Int
    public var pauseSeconds: Int
    public var continueOnFailure: Bool
    public var status: Status = .running
    /// The batch whose jobs are queued (or about to be); -1 before the first.
    public var currentBatch: Int = -1
    /// When the current batch's last job ended: the next waits `pauseSeconds` from then.
    public var batchDoneAt: Date?
    public var requestedBy: String
    public var requester: DeferredRequester
    public var createdAt: Date
    public var finishedAt: Date?

    public init(
        id: String, tenantID: String, action: Action, appID: String?, sealedRequest: String, selector: [String: String], batchSize: Int,
        maxFailures: Int, pauseSeconds: Int, continueOnFailure: Bool, requester: DeferredRequester, createdAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.action = action
        self.appID = appID
        self.sealedRequest = sealedRequest
        self.selector = selector
        self.batchSize = batchSize
        self.maxFailures = maxFailures
        self.pauseSeconds = pauseSeconds
        self.continueOnFailure = continueOnFailure
        self.requestedBy = requester.email
        self.requester = requester
        self.createdAt = createdAt
    }

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        let actionText = try row.decode(column: "action", as: String.self)
        let statusText = try row.decode(column: "status", as: String.self)
        guard let action = Action(rawValue: actionText), let status = Status(rawValue: statusText) else {
            throw StoreError("rollout \(id) has unknown action \(actionText) or status \(statusText)")
        }
        self.action = action
        self.status = status
        appID = try row.decode(column: "app_id", as: String?.self)
        sealedRequest = try row.decode(column: "sealed_request", as: String.self)
        selector = try JSONColumn.decode([String: String].self, from: row.decode(column: "selector", as: String.self))
        batchSize = try row.decode(column: "batch_size", as: Int.self)
        maxFailures = try row.decode(column: "max_failures", as: Int.self)
        pauseSeconds = try row.decode(column: "pause_seconds", as: Int.self)
        continueOnFailure = try row.decode(column: "on_failure", as: String.self) == "continue"
        currentBatch = try row.decode(column: "current_batch", as: Int.self)
        batchDoneAt = try row.decode(column: "batch_done_at", as: Int64?.self).map(Millis.date)
        requestedBy = try row.decode(column: "requested_by", as: String.self)
        requester = try JSONColumn.decode(DeferredRequester.self, from: row.decode(column: "requester", as: String.self))
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
        finishedAt = try row.decode(column: "finished_at", as: Int64?.self).map(Millis.date)
    }

    public func wire(targets: [RolloutTargetRecord]) -> Wire.Rollouts.Info {
        .init(
            id: id, status: status.rawValue, action: action.rawValue, appID: appID, selector: .init(labels: selector), batchSize: batchSize,
            maxFailures: maxFailures, pauseSeconds: pauseSeconds, onFailure: continueOnFailure ? "continue" : "stop",
            failures: targets.filter { $0.status == .failed }.count, servers: targets.map(\.wire), createdBy: requestedBy,
            createdAt: createdAt, finishedAt: finishedAt)
    }
}

/// One server of a rollout.
public struct RolloutTargetRecord: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case pending
        /// A hub is queueing its job (it holds the target since `claimedAt`).
        case queueing
        case queued, running, succeeded, failed, skipped, cancelled

        /// Over: nothing more happens to it.
        public var isFinal: Bool { [.succeeded, .failed, .skipped, .cancelled].contains(self) }
    }

    public var rolloutID: String
    public var tenantID: String
    public var serverID: String
    /// Its place in the order the servers were picked in.
    public var position: Int
    public var batch: Int
    public var jobID: String?
    public var status: Status = .pending
    public var error: String?
    public var claimedAt: Date?

    public init(rolloutID: String, tenantID: String, serverID: String, position: Int, batch: Int) {
        self.rolloutID = rolloutID
        self.tenantID = tenantID
        self.serverID = serverID
        self.position = position
        self.batch = batch
    }

    init(row: any SQLRow) throws {
        rolloutID = try row.decode(column: "rollout_id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        serverID = try row.decode(column: "server_id", as: String.self)
        position = try row.decode(column: "position", as: Int.self)
        batch = try row.decode(column: "batch", as: Int.self)
        jobID = try row.decode(column: "job_id", as: String?.self)
        let statusText = try row.decode(column: "status", as: String.self)
        guard let status = Status(rawValue: statusText) else { throw StoreError("rollout target has unknown status \(statusText)") }
        self.status = status
        error = try row.decode(column: "error", as: String?.self)
        claimedAt = try row.decode(column: "claimed_at", as: Int64?.self).map(Millis.date)
    }

    public var wire: Wire.Rollouts.Target {
        .init(serverID: serverID, batch: batch, jobID: jobID, status: status.rawValue, error: error)
    }
}
