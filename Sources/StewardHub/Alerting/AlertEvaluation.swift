import Foundation
import StewardCore

/// The rules of alerting, as a function of what the hub knows now: which conditions hold, which
/// alerts fire, resolve or are dropped, and whom to tell. No I/O and no clock of its own, so every
/// rule of time is tested by handing it `now`.
///
/// - An alert starts `pending` when its condition first holds (for `offline` rules: when the server
///   was marked offline; for `job` rules: when the job ended) and fires once it has held for the
///   rule's `for_seconds`. A pending alert whose condition clears is dropped; a firing or
///   acknowledged one is resolved.
/// - A firing alert notifies the rule's channels unless the same rule notified about the same
///   server less than `cooldown_seconds` ago; its resolution is told only where its firing was.
enum AlertEvaluation {
    static func changes(_ snapshot: AlertSnapshot, now: Date) -> [AlertChange] {
        var lastNotified = snapshot.lastNotified
        var open: [String: AlertRecord] = [:]
        for alert in snapshot.openAlerts { open[key(alert.ruleID, alert.serverID, alert.subject)] = alert }
        let rulesByID = Dictionary(snapshot.rules.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var changes: [AlertChange] = []

        for rule in snapshot.rules where rule.enabled {
            for server in snapshot.servers where server.tenantID == rule.tenantID && rule.selects(server.labels) {
                for observation in observe(rule, on: server, snapshot: snapshot, now: now) {
                    let alertKey = key(rule.id, server.id, observation.subject)
                    var alert: AlertRecord
                    let previous: AlertState?
                    if let existing = open.removeValue(forKey: alertKey) {
                        alert = existing
                        previous = existing.state
                    } else {
                        alert = AlertRecord(
                            id: UUID().uuidString.lowercased(), tenantID: rule.tenantID, ruleID: rule.id, ruleName: rule.name,
                            kind: rule.kind, serverID: server.id, serverName: server.name, subject: observation.subject, state: .pending,
                            value: observation.value, summary: observation.summary, startedAt: min(observation.since, now))
                        previous = nil
                    }
                    var change = AlertChange(alert: alert, previous: previous)
                    change.alert.value = observation.value
                    change.alert.summary = observation.summary
                    change.alert.serverName = server.name
                    if alert.state == .pending, now.timeIntervalSince(alert.startedAt) >= Double(rule.forSeconds) {
                        change.alert.state = .firing
                        change.alert.firedAt = now
                        let notifiedKey = AlertSnapshot.notifiedKey(rule.id, server.id)
                        let quiet = lastNotified[notifiedKey].map { now.timeIntervalSince($0) < Double(rule.cooldownSeconds) } ?? false
                        let channels = channels(of: rule, snapshot: snapshot)
                        if !quiet, !channels.isEmpty {
                            change.alert.notifiedAt = now
                            lastNotified[notifiedKey] = now
                            change.deliveries = deliveries(for: change.alert, event: "alert.firing", to: channels, now: now)
                        }
                    }
                    if previous == nil || change.alert != alert { changes.append(change) }
                }
            }
        }

        // What is still open held no longer: its server went, its rule went or was disabled, or it cleared.
        for alert in open.values.sorted(by: { $0.id < $1.id }) {
            var change = AlertChange(alert: alert, previous: alert.state)
            if alert.state == .pending {
                change.dropped = true
            } else {
                change.alert.state = .resolved
                change.alert.resolvedAt = now
                if alert.notifiedAt != nil, let rule = rulesByID[alert.ruleID] {
                    change.deliveries = deliveries(
                        for: change.alert, event: "alert.resolved", to: channels(of: rule, snapshot: snapshot), now: now)
                }
            }
            changes.append(change)
        }
        return changes
    }

    /// A condition that holds on a server now.
    struct Observation {
        var subject: String
        var value: Double?
        var summary: String
        /// Since when it holds, as far as the hub can tell.
        var since: Date
    }

    static func observe(_ rule: AlertRuleRecord, on server: AlertSnapshot.Server, snapshot: AlertSnapshot, now: Date) -> [Observation] {
        switch rule.kind {
        case .offline:
            guard !server.online, let since = server.presenceChangedAt else { return [] }
            let seconds = max(0, now.timeIntervalSince(since)).rounded()
            return [
                Observation(subject: "", value: seconds, summary: "\(server.name) has been offline for \(Int(seconds)) s", since: since)
            ]
        case .metric:
            guard let metric = rule.metric, let comparison = rule.comparison, let threshold = rule.threshold,
                let values = snapshot.latestMetrics[server.id]
            else { return [] }
            let exact = metric.contains("{")
            return values.keys.sorted().compactMap { seriesKey in
                guard exact ? seriesKey == metric : Wire.Metrics.parse(key: seriesKey)?.name == metric,
                    let value = values[seriesKey], comparison.holds(value, threshold)
                else { return nil }
                return Observation(
                    subject: seriesKey, value: value,
                    summary: "\(seriesKey) is \(formatted(value)) on \(server.name) (\(comparison.rawValue) \(formatted(threshold)))",
                    since: now)
            }
        case .container:
            let states = Set(rule.containerStates ?? AlertKind.defaultContainerStates)
            return (snapshot.containers[server.id] ?? []).compactMap { container in
                let state: String? =
                    if states.contains("oom_killed") && container.oomKilled && container.state != "running" {
                        "oom_killed"
                    } else if states.contains("unhealthy") && container.health == "unhealthy" {
                        "unhealthy"
                    } else if container.state == "exited" {
                        // A container that finished its work (exit code 0) is not in trouble.
                        states.contains("exited") && (container.exitCode ?? 0) != 0 ? "exited" : nil
                    } else {
                        states.contains(container.state) ? container.state : nil
                    }
                guard let state else { return nil }
                let detail = state == "exited" ? " with code \(container.exitCode ?? 0)" : ""
                return Observation(
                    subject: container.name,
                    value: state == "exited" ? container.exitCode.map(Double.init) : Double(container.restartCount),
                    summary: "container \(container.name) on \(server.name) is \(state.replacingOccurrences(of: "_", with: " "))\(detail)",
                    since: now)
            }
        case .backup:
            let window = (rule.threshold ?? 24) * 3600
            return (snapshot.backups[server.id] ?? []).compactMap { app in
                let since = app.lastSuccess ?? app.installedAt
                let age = now.timeIntervalSince(since)
                guard age >= window else { return nil }
                let hours = (age / 3600).rounded(.down)
                return Observation(
                    subject: app.installationID, value: hours,
                    summary: app.lastSuccess == nil
                        ? "\(app.appID) on \(server.name) has never been backed up (installed \(Int(hours)) h ago)"
                        : "\(app.appID) on \(server.name) has had no successful backup for \(Int(hours)) h",
                    since: since.addingTimeInterval(window))
            }
        case .job:
            let statuses = Set(rule.statuses ?? Array(JobRecord.eventfulEnds))
            return snapshot.jobs.filter { job in
                job.serverID == server.id && statuses.contains(job.status) && (job.finishedAt ?? .distantPast) >= rule.createdAt
            }.map { job in
                let what = job.appID.map { "\(job.kind) of \($0)" } ?? "\(job.kind) job"
                return Observation(
                    subject: job.id, value: job.exitCode.map(Double.init),
                    summary: "\(what) on \(server.name) ended \(job.status.rawValue.replacingOccurrences(of: "_", with: " "))",
                    since: job.finishedAt ?? now)
            }
        }
    }

    static func channels(of rule: AlertRuleRecord, snapshot: AlertSnapshot) -> [String] {
        rule.channelIDs.filter { snapshot.channels[$0] == rule.tenantID }
    }

    static func deliveries(for alert: AlertRecord, event: String, to channels: [String], now: Date) -> [DeliveryRecord] {
        channels.map { channel in
            DeliveryRecord(
                id: UUID().uuidString.lowercased(), tenantID: alert.tenantID, channelID: channel, alertID: alert.id, event: event,
                body: .init(event: event, alert: alert.wire, at: now), createdAt: now)
        }
    }

    static func formatted(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.1f", value)
    }

    private static func key(_ rule: String, _ server: String, _ subject: String) -> String { "\(rule) \(server) \(subject)" }
}
