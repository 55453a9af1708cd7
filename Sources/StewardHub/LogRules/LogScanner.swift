import Foundation
import Logging
import StewardCore

/// Matches what servers log against their tenant's log rules: the lines of a job attempt as they
/// arrive, and the log tails agents send with container reports. A match is a `log.matched`
/// fleet event: one per rule and job attempt, and one per rule, container and ten minutes (a
/// container that logs an error every second is not six hundred events an hour).
///
/// A rule whose pattern runs past ``LogPattern/budget`` on a batch is turned off, with a
/// `log_rule.disabled` event that says why; the batch goes on with the other rules.
struct LogScanner: Sendable {
    let store: Store
    let clock: HubClock
    let logger: Logger
    let cache = RuleCache()

    /// How many of each container's newest lines agents are asked for, when a rule reads them.
    static let containerTailLines = 100
    static let containerWindow: TimeInterval = 600
    static let excerptLength = 300

    /// A pass of the joined rules that finds more lines than this leaves each rule to read the batch alone.
    static let maxCandidateLines = 200

    struct Rule: Sendable {
        var record: LogRuleRecord
        var pattern: LogPattern
    }

    /// A tenant's enabled rules, and per source one pattern joining those that can be joined.
    struct RuleSet: Sendable {
        var rules: [Rule]
        var joined: [LogRuleRecord.Source: LogPattern]
    }

    /// Lines a job attempt logged, as stored (masked).
    func scanJobLog(_ lines: [String], of job: JobRecord) async {
        await scan(lines, source: .job, tenantID: job.tenantID, serverID: job.serverID) { rule, line, now in
            FleetEventRecord(
                tenantID: job.tenantID, serverID: job.serverID, jobID: job.id, kind: "log.matched", severity: rule.severity,
                message: "log rule \(rule.name) matched in job \(job.id): \(Self.excerpt(line))",
                dedupeKey: "log:\(rule.id):\(job.id):\(job.attempt)", at: now)
        }
    }

    /// The log tails of a container report.
    func scanContainerLogs(_ tails: [Wire.Containers.LogTail], serverID: String, tenantID: String) async {
        for tail in tails where !tail.lines.isEmpty {
            await scan(tail.lines, source: .container, tenantID: tenantID, serverID: serverID) { rule, line, now in
                let window = Int(now.timeIntervalSince1970 / Self.containerWindow)
                return FleetEventRecord(
                    tenantID: tenantID, serverID: serverID, kind: "log.matched", severity: rule.severity,
                    message: "log rule \(rule.name) matched in container \(tail.name): \(Self.excerpt(line))",
                    dedupeKey: "log:\(rule.id):\(serverID):\(tail.containerID):\(window)", at: now)
            }
        }
    }

    /// How many lines of each container's log agents of the tenant should send: only rules that
    /// read containers make it more than 0.
    func containerTailLines(tenantID: String) async -> Int {
        let rules = (try? await rules(tenantID: tenantID))?.rules ?? []
        return rules.contains { $0.record.sources.contains(.container) } ? Self.containerTailLines : 0
    }

    /// Forgets the tenant's rules: they changed on this hub.
    func invalidate(tenantID: String) async { await cache.forget(tenantID) }

    private func scan(
        _ lines: [String], source: LogRuleRecord.Source, tenantID: String, serverID: String,
        event: (LogRuleRecord, String, Date) -> FleetEventRecord
    ) async {
        do {
            let set = try await rules(tenantID: tenantID)
            var rules = set.rules.filter { $0.record.sources.contains(source) }
            guard !rules.isEmpty else { return }
            if rules.contains(where: { !$0.record.selector.isEmpty }) {
                let labels = try await store.server(id: serverID, tenantID: tenantID)?.labels ?? [:]
                rules = rules.filter { $0.record.selects(labels) }
            }
            // One pass of all the source's rules together finds the lines any of them matches; each
            // rule then reads only those. Over budget, or with too many such lines, each rule reads
            // the batch on its own (and one that runs over its own budget is turned off).
            let batch = LogPattern.Batch(lines)
            let candidates = set.joined[source]?.matchingLines(in: batch, limit: Self.maxCandidateLines)
                .flatMap { $0.count < Self.maxCandidateLines ? $0.map { batch.lines[$0] } : nil }
            var events: [FleetEventRecord] = []
            for rule in rules {
                let joined = candidates != nil && rule.pattern.canJoin
                switch rule.pattern.match(joined ? candidates ?? [] : batch.lines) {
                case .matched(let line): events.append(event(rule.record, line, clock.now))
                case .noMatch: break
                case .overBudget: try await disable(rule.record, serverID: serverID)
                }
            }
            try await store.recordFleetEvents(events)
        } catch {
            logger.error("cannot match logs against log rules", metadata: ["tenant.id": "\(tenantID)", "error": "\(error)"])
        }
    }

    private func disable(_ rule: LogRuleRecord, serverID: String) async throws {
        let reason = "its pattern ran past the \(LogPattern.budget) budget on one batch of lines; simplify it and turn it on again"
        let event = FleetEventRecord(
            tenantID: rule.tenantID, serverID: serverID, kind: "log_rule.disabled", severity: .warning,
            message: "log rule \(rule.name) was turned off: \(reason)", dedupeKey: "log_rule.disabled:\(rule.id):\(UUID())", at: clock.now)
        if try await store.disableLogRule(id: rule.id, tenantID: rule.tenantID, reason: reason, event: event) {
            logger.warning("log rule turned off: over its time budget", metadata: ["rule.id": "\(rule.id)"])
        }
        await cache.forget(rule.tenantID)
    }

    private func rules(tenantID: String) async throws -> RuleSet {
        try await cache.rules(tenantID: tenantID) {
            let rules = try await store.logRules(tenantID: tenantID, enabledOnly: true).compactMap { record in
                (try? LogPattern(record.pattern)).map { Rule(record: record, pattern: $0) }
            }
            var joined: [LogRuleRecord.Source: LogPattern] = [:]
            for source in LogRuleRecord.Source.allCases {
                joined[source] = LogPattern(anyOf: rules.filter { $0.record.sources.contains(source) && $0.pattern.canJoin }.map(\.pattern))
            }
            return RuleSet(rules: rules, joined: joined)
        }
    }

    static func excerpt(_ line: String) -> String {
        line.count > excerptLength ? line.prefix(excerptLength) + "…" : line
    }

    /// Each tenant's enabled rules, compiled, for a few seconds: log batches arrive many times a
    /// second, rules change rarely (and this hub forgets a tenant's at once when they do; another
    /// hub sharing the database sees a change within ``lifetime``).
    actor RuleCache {
        static let lifetime: Duration = .seconds(5)
        private var entries: [String: (loaded: ContinuousClock.Instant, rules: RuleSet)] = [:]

        func rules(tenantID: String, load: @Sendable () async throws -> RuleSet) async throws -> RuleSet {
            if let entry = entries[tenantID], ContinuousClock.now - entry.loaded < Self.lifetime { return entry.rules }
            let rules = try await load()
            entries[tenantID] = (ContinuousClock.now, rules)
            return rules
        }

        func forget(_ tenantID: String) { entries[tenantID] = nil }
    }
}
