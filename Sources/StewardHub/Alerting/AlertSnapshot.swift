import Foundation
import StewardCore

/// What one evaluation of the alert rules looks at, read in the transaction that writes its outcome.
public struct AlertSnapshot: Sendable {
    /// A server as the rules see it.
    public struct Server: Sendable, Equatable {
        public var id: String
        public var tenantID: String
        public var name: String
        public var labels: [String: String]
        public var online: Bool
        /// When it last went offline or came back; `nil` for a server that never changed.
        public var presenceChangedAt: Date?
    }

    /// Every rule, enabled or not (a disabled rule's alerts resolve, telling its channels).
    public var rules: [AlertRuleRecord] = []
    public var servers: [Server] = []
    public var openAlerts: [AlertRecord] = []
    /// When each rule last notified about each server (within the longest cooldown), by ``notifiedKey(_:_:)``.
    public var lastNotified: [String: Date] = [:]
    /// Channel ids and their tenants: a rule notifies only its own tenant's channels that still exist.
    public var channels: [String: String] = [:]
    /// Each server's latest raw sample, when recent enough (only read when a metric rule exists).
    public var latestMetrics: [String: [String: Double]] = [:]
    /// Jobs that ended badly lately (only read when a job rule exists).
    public var jobs: [JobRecord] = []
    /// Each server's containers as last reported (only read when a container rule exists).
    public var containers: [String: [Wire.Containers.Container]] = [:]
    /// Each server's installed apps that can be backed up, with their last successful backup (only
    /// read when a backup rule exists).
    public var backups: [String: [Backups]] = [:]

    public struct Backups: Sendable, Equatable {
        public var installationID: String
        public var appID: String
        public var installedAt: Date
        public var lastSuccess: Date?
    }

    static func notifiedKey(_ ruleID: String, _ serverID: String) -> String { ruleID + " " + serverID }
}

/// One alert written by an evaluation: raised (`previous` is `nil`), moved on from `previous`, or,
/// when `dropped`, a pending one whose condition cleared before it fired; with the notifications
/// the change causes.
public struct AlertChange: Sendable, Equatable {
    public var alert: AlertRecord
    public var previous: AlertState?
    public var dropped = false
    public var deliveries: [DeliveryRecord] = []
}
