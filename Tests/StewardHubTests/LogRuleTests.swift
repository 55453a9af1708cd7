import Foundation
import HTTPTypes
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardHub

/// Log rules: the budgeted pattern, their storage on both databases, and the API with real job
/// log batches and container reports through the hub's router.
struct LogRuleTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    // MARK: The pattern

    @Test("a pattern finds the first line it matches, with ^ and $ per line, and says when none does")
    func matching() throws {
        let pattern = try LogPattern(#"^ERROR\b.*refused$"#)
        #expect(pattern.match(["ok", "ERROR: connection refused", "ERROR again refused"]) == .matched("ERROR: connection refused"))
        #expect(pattern.match(["an ERROR: connection refused", "ERROR: it was refused"]) == .matched("ERROR: it was refused"))
        #expect(pattern.match(["nothing here", "ERRORS refused"]) == .noMatch)
        #expect(pattern.match([]) == .noMatch)
        // A match is found in the line it starts in, whatever characters came before.
        #expect(try LogPattern("café").match(["日本語 ok", "🙂 café"]) == .matched("🙂 café"))
    }

    @Test("patterns joined into one find every line any of them matches, each keeping its own flags; back-references stay apart")
    func joined() throws {
        let patterns = [try LogPattern("(?i)timeout"), try LogPattern("^panic:"), try LogPattern(#"(\w)\1{3}"#)]
        #expect(!patterns[2].canJoin)
        #expect(LogPattern(anyOf: Array(patterns)) == nil, "a back-reference would point at another pattern's group")
        let joined = try #require(LogPattern(anyOf: Array(patterns.prefix(2))))
        let batch = LogPattern.Batch(["ok", "TIMEOUT after 5 s", "no panic: here", "panic: nil map", "PANIC: upper case", "fine"])
        #expect(joined.matchingLines(in: batch, limit: 10) == [1, 3], "(?i) applies to its own pattern only")
        #expect(joined.matchingLines(in: batch, limit: 1) == [1])
        #expect(LogPattern(anyOf: [patterns[0]]) == nil, "one pattern needs no joining")
    }

    @Test("a pattern that backtracks without end is stopped at its budget, and refused when it is made")
    func budget() throws {
        let pattern = try LogPattern("(a+)+$")
        let started = ContinuousClock.now
        #expect(pattern.match([String(repeating: "a", count: 64) + "!"], budget: .milliseconds(20)) == .overBudget)
        // Generous bounds: the point is "stopped", not "fast" (the machine may be busy).
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(throws: LogPattern.Problem.self) { try pattern.checkCost() }
        try LogPattern(#"\bERROR\b|panic:|Traceback \(most recent call last\)"#).checkCost()
    }

    @Test("empty, overlong and malformed patterns are refused with the reason")
    func malformed() {
        for (pattern, reason) in [("", "empty"), (String(repeating: "a", count: 513), "at most 512"), ("(unclosed", "ICU")] {
            #expect {
                try LogPattern(pattern)
            } throws: { error in
                (error as? LogPattern.Problem)?.message.contains(reason) == true
            }
        }
    }

    // MARK: Storage

    static func rule(_ name: String, tenant: String = Store.defaultTenant, pattern: String = "ERROR") -> LogRuleRecord {
        LogRuleRecord(
            id: UUID().uuidString.lowercased(), tenantID: tenant, name: name, pattern: pattern, sources: [.job, .container],
            severity: .critical, selector: ["env": "prod"], createdAt: t0)
    }

    @Test(
        "log rules are stored, listed by name, renamed only to a free name, turned off with their event, and deleted",
        arguments: TestDatabase.available)
    func storage(database: TestDatabase) async throws {
        try await database.withStore { store in
            let audit = StoreTests.audit("log_rule.create")
            var errors = Self.rule("errors")
            #expect(try await store.createLogRule(errors, audit: audit))
            #expect(try await store.createLogRule(Self.rule("panics", pattern: "panic:"), audit: audit))
            #expect(try await !store.createLogRule(Self.rule("errors"), audit: audit), "names are unique in a tenant")
            #expect(try await store.logRules(tenantID: Store.defaultTenant).map(\.name) == ["errors", "panics"])
            #expect(try await store.logRule(id: errors.id, tenantID: Store.defaultTenant) == errors)
            #expect(try await store.logRule(id: errors.id, tenantID: "t-other") == nil)

            errors.name = "panics"
            #expect(try await !store.updateLogRule(errors, audit: audit))
            errors.name = "errors and worse"
            errors.sources = [.container]
            errors.updatedAt = Self.t0.addingTimeInterval(5)
            #expect(try await store.updateLogRule(errors, audit: audit))
            #expect(try await store.logRule(id: errors.id, tenantID: Store.defaultTenant) == errors)

            let event = FleetEventRecord(
                tenantID: Store.defaultTenant, serverID: nil, kind: "log_rule.disabled", severity: .warning, message: "turned off",
                dedupeKey: "log_rule.disabled:\(errors.id)", at: Self.t0.addingTimeInterval(9))
            #expect(try await store.disableLogRule(id: errors.id, tenantID: Store.defaultTenant, reason: "too slow", event: event))
            #expect(try await !store.disableLogRule(id: errors.id, tenantID: Store.defaultTenant, reason: "again", event: event))
            let disabled = try #require(try await store.logRule(id: errors.id, tenantID: Store.defaultTenant))
            #expect(!disabled.enabled && disabled.disabledReason == "too slow")
            #expect(try await store.logRules(tenantID: Store.defaultTenant, enabledOnly: true).map(\.name) == ["panics"])
            #expect(
                try await store.fleetEvents(tenantID: Store.defaultTenant, kind: "log_rule.disabled", limit: 10).map(\.message) == [
                    "turned off"
                ])

            #expect(try await store.deleteLogRule(id: errors.id, tenantID: Store.defaultTenant, at: Self.t0, audit: audit))
            #expect(try await !store.deleteLogRule(id: errors.id, tenantID: Store.defaultTenant, at: Self.t0, audit: audit))
            #expect(try await store.logRules(tenantID: Store.defaultTenant).map(\.name) == ["panics"])
        }
    }

    // MARK: The API

    static func events(_ client: HubTestApp.Client, kind: String) async throws -> [Wire.Alerting.FleetEvent] {
        try await client.send(.get, "/api/v1/fleet-events?kind=\(kind)").decode(Wire.ItemList<Wire.Alerting.FleetEvent>.self).items
    }

    @Test("bad log rules are a 422 naming each field; a missing one is a 404; a name is taken once")
    func validation() async throws {
        try await HubTestApp.run { client in
            let bad = try await client.send(
                .post, "/api/v1/log-rules", json: #"{"name": "", "pattern": "(a+)+$", "sources": ["job", "syslog"], "severity": "loud"}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["name", "pattern", "sources", "severity"], "\(bad.text)")
            #expect(bad.text.contains("backtracks"))
            let created = try await client.send(.post, "/api/v1/log-rules", body: Wire.LogRules.Request(name: "errors", pattern: "ERROR"))
            #expect(created.status == .created)
            let rule = try created.decode(Wire.LogRules.Rule.self)
            #expect(rule.sources == ["container", "job"] && rule.severity == "warning" && rule.enabled)
            let twice = try await client.send(.post, "/api/v1/log-rules", body: Wire.LogRules.Request(name: "errors", pattern: "x"))
            #expect(twice.status == .conflict && twice.problem?.code == "name_taken")
            #expect(try await client.send(.get, "/api/v1/log-rules/nope").status == .notFound)
            #expect(try await client.send(.patch, "/api/v1/log-rules/nope", json: "{}").status == .notFound)
            #expect(try await client.send(.delete, "/api/v1/log-rules/nope").status == .notFound)
            let patched = try await client.send(.patch, "/api/v1/log-rules/\(rule.id)", body: Wire.LogRules.Patch(pattern: "[unclosed"))
            #expect(patched.status == .unprocessableContent && patched.problem?.errors?.map(\.field) == ["pattern"])
            #expect(try await client.send(.delete, "/api/v1/log-rules/\(rule.id)").status == .noContent)
            #expect(try await client.send(.get, "/api/v1/log-rules").decode(Wire.ItemList<Wire.LogRules.Rule>.self).items.isEmpty)
        }
    }

    @Test("a job's log lines that match a rule are one event per attempt; other sources and servers are not read")
    func jobLogs() async throws {
        try await HubTestApp.run { client in
            let (bearer, serverID) = try await AgentJobAPITests.agent(client)
            for request in [
                Wire.LogRules.Request(
                    name: "tracebacks", pattern: #"^Traceback \(most recent call last\)"#, sources: ["job"], severity: "critical"),
                Wire.LogRules.Request(name: "containers only", pattern: "Traceback", sources: ["container"]),
                Wire.LogRules.Request(name: "elsewhere", pattern: "Traceback", selector: .init(labels: ["env": "prod"])),
            ] {
                #expect(try await client.send(.post, "/api/v1/log-rules", body: request).status == .created)
            }
            let envelope = try await AgentJobAPITests.claimedReadJob(client, bearer: bearer, serverID: serverID)
            for lines in [["starting", "Traceback (most recent call last):", "  File \"x.py\""], ["Traceback (most recent call last):"]] {
                let sent = try await client.send(
                    .post, "/api/v1/agent/jobs/\(envelope.jobID)/logs", body: Wire.Job.LogBatch(attempt: 1, lines: lines), bearer: bearer)
                #expect(sent.status == .noContent)
            }
            let events = try await Self.events(client, kind: "log.matched")
            #expect(events.count == 1, "\(events)")
            #expect(events.first?.jobID == envelope.jobID && events.first?.serverID == serverID && events.first?.severity == "critical")
            #expect(events.first?.message == "log rule tracebacks matched in job \(envelope.jobID): Traceback (most recent call last):")
        }
    }

    @Test("container reports bring log tails only once a rule reads them; a match is an event, a slow rule is turned off")
    func containerLogs() async throws {
        let clock = ManualClock()
        try await HubTestApp.run(clock: clock.hubClock) { client in
            let (bearer, serverID) = try await AgentJobAPITests.agent(client)
            let web = AlertingStoreTests.container("web", state: "running")
            func report(_ lines: [String]) async throws -> Wire.Containers.ReportAnswer {
                let answer = try await client.send(
                    .post, "/api/v1/agent/containers",
                    body: Wire.Containers.Report(
                        containers: [web], events: [], logs: [.init(containerID: web.id, name: "web", lines: lines)]),
                    bearer: bearer)
                #expect(answer.status == .ok, "\(answer.text)")
                return try answer.decode(Wire.Containers.ReportAnswer.self)
            }
            #expect(try await report([]) == .init(logTailLines: 0), "no rule reads containers")
            #expect(
                try await client.send(.post, "/api/v1/log-rules", body: Wire.LogRules.Request(name: "jobs", pattern: "x", sources: ["job"]))
                    .status == .created)
            #expect(try await report([]) == .init(logTailLines: 0))
            let slow = try await client.send(
                .post, "/api/v1/log-rules", body: Wire.LogRules.Request(name: "slow", pattern: "(x+x+)+y", sources: ["container"]))
            #expect(slow.status == .created, "the probes do not catch every slow pattern: \(slow.text)")
            let oom = Wire.LogRules.Request(name: "oom", pattern: "(?i)out of memory", sources: ["container"])
            #expect(try await client.send(.post, "/api/v1/log-rules", body: oom).status == .created)
            #expect(try await report(["fine"]) == .init(logTailLines: LogScanner.containerTailLines))

            // Forty x's make the slow rule backtrack for longer than anyone waits: it is turned off, the other still matches.
            _ = try await report([String(repeating: "x", count: 40), "kernel: Out of memory: killed process 42"])
            _ = try await report(["Out of memory again, within the same ten minutes"])
            let matched = try await Self.events(client, kind: "log.matched")
            #expect(matched.map(\.message) == ["log rule oom matched in container web: kernel: Out of memory: killed process 42"])
            #expect(matched.first?.serverID == serverID)
            clock.advance(by: LogScanner.containerWindow)
            _ = try await report(["Out of memory, ten minutes on"])
            #expect(try await Self.events(client, kind: "log.matched").count == 2, "a new window, a new event")
            let rule = try await client.send(.get, "/api/v1/log-rules/\(try slow.decode(Wire.LogRules.Rule.self).id)")
                .decode(Wire.LogRules.Rule.self)
            #expect(!rule.enabled && rule.disabledReason?.contains("budget") == true)
            #expect(try await Self.events(client, kind: "log_rule.disabled").count == 1)
            // Turned on again (after a fix, say), its reason goes.
            let again = try await client.send(
                .patch, "/api/v1/log-rules/\(rule.id)", body: Wire.LogRules.Patch(pattern: "x+y", enabled: true))
            #expect(try again.decode(Wire.LogRules.Rule.self).disabledReason == nil)

            let tooMany = Wire.Containers.Report(
                containers: [web], events: [],
                logs: [.init(containerID: web.id, name: "web", lines: Array(repeating: "x", count: 201))])
            let refused = try await client.send(.post, "/api/v1/agent/containers", body: tooMany, bearer: bearer)
            #expect(refused.status == .unprocessableContent && refused.problem?.errors?.map(\.field) == ["logs[0].lines"])
        }
    }
}
