import Foundation
import SQLKit
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// The job storage suite: claims, leases, results, cancel, retry and log chunks, each on SQLite and
/// on PostgreSQL, with times given explicitly (no sleeping) and races run for real.
struct JobStoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// An enrolled server to put jobs on.
    static func server(_ store: Store) async throws -> String {
        let token = "stw_reg_" + UUID().uuidString
        try await store.createRegistrationToken(StoreTests.tokenRecord(token), audit: StoreTests.audit("registration_token.create"))
        guard case .success(let server) = try await store.enroll(StoreTests.enrollment(token), at: t0) else {
            throw TestFailure("enrollment failed")
        }
        return server.id
    }

    static func job(
        on serverID: String, kind: JobKind = .app(.install), at created: Date = t0, maxAttempts: Int = 3, exclusive: Bool = true
    ) -> JobRecord {
        var job = JobRecord(
            id: UUID().uuidString.lowercased(), tenantID: Store.defaultTenant, serverID: serverID, kind: kind, appID: "greeter",
            appVersion: "1.0.0", inputs: ["GREETING": "hello"], sealedSecrets: nil, secretNames: [], maxAttempts: maxAttempts,
            backoffSeconds: [60, 300], timeoutSeconds: 60, requestedBy: "owner@example.com", createdAt: created)
        job.exclusive = exclusive
        return job
    }

    static func queue(_ jobs: [JobRecord], on store: Store) async throws {
        try await store.createJobs(jobs, audit: StoreTests.audit("job.install"))
    }

    @Test("a claim takes the oldest due job, one exclusive job at a time, and waits for a retry's time", arguments: TestDatabase.available)
    func claimOrder(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await Self.server(store)
            let first = Self.job(on: server, at: Self.t0)
            let second = Self.job(on: server, at: Self.t0.addingTimeInterval(1))
            try await Self.queue([second, first], on: store)
            let claimed = try #require(try await store.claimNextJob(serverID: server, now: Self.t0, lease: 30))
            #expect(claimed.id == first.id)
            #expect(claimed.attempt == 1)
            #expect(claimed.leaseExpiresAt == Self.t0.addingTimeInterval(30))
            // The first runs alone: nothing else is handed out, even to an agent that allows more.
            #expect(try await store.claimNextJob(serverID: server, now: Self.t0, lease: 30, concurrency: 4) == nil)
            // Exit 2: a retry after the first backoff (60 s), not before.
            let result = Wire.Job.Result(attempt: 1, exitCode: 2)
            let retried = try #require(
                try await store.updateJob(id: first.id, at: Self.t0) { job in
                    (JobLifecycle.finish(&job, with: result, sealedResults: nil, now: Self.t0, backoffScale: 1) == .applied, ())
                })
            #expect(retried.job.status == .retrying)
            #expect(retried.job.nextRunAt == Self.t0.addingTimeInterval(60))
            let next = try #require(try await store.claimNextJob(serverID: server, now: Self.t0.addingTimeInterval(1), lease: 30))
            #expect(next.id == second.id)
        }
    }

    @Test("two hubs claiming at once never start two exclusive jobs on one server", arguments: TestDatabase.available)
    func racingClaims(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await Self.server(store)
            try await Self.queue((0..<4).map { _ in Self.job(on: server) }, on: store)
            for round in 0..<3 {
                let claims = try await withThrowingTaskGroup(of: JobRecord?.self) { group in
                    for _ in 0..<8 {
                        group.addTask { try await store.claimNextJob(serverID: server, now: Self.t0, lease: 30, concurrency: 4) }
                    }
                    return try await group.reduce(into: [JobRecord]()) { if let job = $1 { $0.append(job) } }
                }
                #expect(claims.count == 1, "round \(round): \(claims.count) exclusive jobs were started together")
                let running = try await store.jobs(tenantID: Store.defaultTenant, serverID: server, status: .running, appID: nil, limit: 10)
                #expect(running.count == 1)
                for job in running {
                    _ = try await store.updateJob(id: job.id, at: Self.t0) { job in
                        (
                            JobLifecycle.finish(
                                &job, with: .init(attempt: job.attempt, exitCode: 0), sealedResults: nil, now: Self.t0, backoffScale: 1)
                                == .applied, ()
                        )
                    }
                }
            }
        }
    }

    @Test("a result and a cancel racing for one running job: exactly one of them wins", arguments: TestDatabase.available)
    func resultAgainstCancel(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await Self.server(store)
            for _ in 0..<10 {
                let job = Self.job(on: server)
                try await Self.queue([job], on: store)
                _ = try #require(try await store.claimNextJob(serverID: server, now: Self.t0, lease: 30))
                async let finished = store.updateJob(id: job.id, at: Self.t0) { job in
                    let verdict = JobLifecycle.finish(
                        &job, with: .init(attempt: 1, exitCode: 0), sealedResults: nil, now: Self.t0, backoffScale: 1)
                    return (verdict == .applied, verdict == .applied)
                }
                async let cancelled = store.updateJob(id: job.id, audit: StoreTests.audit("job.cancel"), at: Self.t0) { job in
                    let changed = JobLifecycle.cancel(&job, reason: "cancelled by a test", now: Self.t0)
                    return (changed, changed)
                }
                let (resultWon, cancelWon) = (try await finished?.verdict ?? false, try await cancelled?.verdict ?? false)
                #expect(resultWon != cancelWon, "result applied: \(resultWon), cancel applied: \(cancelWon)")
                let stored = try #require(try await store.job(id: job.id))
                #expect(stored.status == (resultWon ? .succeeded : .cancelled))
            }
        }
    }

    @Test("heartbeats renew only the attempts they name; a fresh start loses the rest at once", arguments: TestDatabase.available)
    func leases(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await Self.server(store)
            let reads = (0..<3).map { _ in Self.job(on: server, kind: .step(.fileRead), maxAttempts: 1, exclusive: false) }
            try await Self.queue(reads, on: store)
            var claimed: [JobRecord] = []
            for _ in reads {
                claimed.append(try #require(try await store.claimNextJob(serverID: server, now: Self.t0, lease: 30, concurrency: 3)))
            }
            // The agent names the first two; the third is a claim that never reached it.
            claimed.sort { $0.id < $1.id }
            let held = claimed.prefix(2).map { Wire.Heartbeat.AttemptRef(jobID: $0.id, attempt: $0.attempt) }
            try await store.renewLeases(serverID: server, attempts: held, until: Self.t0.addingTimeInterval(60))
            // A heartbeat naming another server's job, or a wrong attempt, renews nothing.
            try await store.renewLeases(
                serverID: "another-server", attempts: [.init(jobID: claimed[2].id, attempt: 1)], until: Self.t0.addingTimeInterval(600))
            try await store.renewLeases(
                serverID: server, attempts: [.init(jobID: claimed[2].id, attempt: 2)], until: Self.t0.addingTimeInterval(600))
            let lost = try await store.expireLeases(now: Self.t0.addingTimeInterval(31), backoffScale: 1)
            #expect(lost.map(\.id) == [claimed[2].id])
            #expect(lost.first?.status == .dead)  // a step job has one attempt
            #expect(lost.first?.error?.contains("attempt 1 was lost") == true)

            // The agent restarts holding only the first: the second is lost now, not after its lease.
            let restarted = try await store.loseRunningAttempts(
                serverID: server, keep: [held[0]], now: Self.t0.addingTimeInterval(32), backoffScale: 1
            ) { _ in "the agent restarted without it" }
            #expect(restarted.map(\.id) == [claimed[1].id])
            #expect(try await store.job(id: claimed[0].id)?.status == .running)
            #expect(try await store.job(id: claimed[1].id)?.error == "attempt 1 was lost: the agent restarted without it")
        }
    }

    @Test(
        "a claim of an agent's earlier run is refused once a newer run said hello, under the claim's lock",
        arguments: TestDatabase.available)
    func supersededRun(database: TestDatabase) async throws {
        try await database.withStore { store in
            let token = "stw_reg_" + UUID().uuidString
            try await store.createRegistrationToken(StoreTests.tokenRecord(token), audit: StoreTests.audit("registration_token.create"))
            let enrollment = StoreTests.enrollment(token)
            guard case .success(let enrolled) = try await store.enroll(enrollment, at: Self.t0) else {
                throw TestFailure("enrollment failed")
            }
            let server = enrolled.id
            let (first, second) = (
                AgentRun(agentID: enrollment.agentID, runID: "run-a"), AgentRun(agentID: enrollment.agentID, runID: "run-b")
            )
            let jobs = [Self.job(on: server, maxAttempts: 1), Self.job(on: server, at: Self.t0.addingTimeInterval(1))]
            try await Self.queue([jobs[0]], on: store)
            // An agent from before run ids names none, and a claim naming a run before any hello did is taken.
            #expect(try await store.loseRunningAttempts(serverID: server, keep: [], now: Self.t0, backoffScale: 1) { _ in "" }.isEmpty)
            _ = try #require(try await store.claimNextJob(serverID: server, now: Self.t0, lease: 30, run: first))
            // The first run's hello came after that claim (its previous life died): the claim is lost.
            _ = try await store.loseRunningAttempts(serverID: server, keep: [], startingRun: first, now: Self.t0, backoffScale: 1) { _ in ""
            }
            #expect(try await store.job(id: jobs[0].id)?.status == .dead)

            // The process of run a died while its poll waited; run b says hello, then a job is queued.
            try await Self.queue([jobs[1]], on: store)
            let lost = try await store.loseRunningAttempts(
                serverID: server, keep: [], startingRun: second, now: Self.t0.addingTimeInterval(2), backoffScale: 1
            ) { _ in "the agent restarted without it" }
            #expect(lost.isEmpty)
            await #expect(throws: AgentRun.Superseded.self) {
                try await store.claimNextJob(serverID: server, now: Self.t0.addingTimeInterval(3), lease: 30, run: first)
            }
            #expect(try await store.job(id: jobs[1].id)?.status == .queued)
            let claimed = try await store.claimNextJob(serverID: server, now: Self.t0.addingTimeInterval(3), lease: 30, run: second)
            #expect(claimed?.id == jobs[1].id)
        }
    }

    @Test("a lost attempt is retried like exit 2, and the retry keeps the script fixed when queued", arguments: TestDatabase.available)
    func lostAndRetried(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await Self.server(store)
            let script = Data("#!/bin/sh\necho fixed\n".utf8)
            let digest = "f1" + String(repeating: "0", count: 62)
            var job = Self.job(on: server, maxAttempts: 2)
            job.scriptSHA256 = digest
            try await store.createJobs([job], scripts: [digest: script], audit: StoreTests.audit("job.install"))
            // The same script queued again is stored once.
            var twin = Self.job(on: server, at: Self.t0.addingTimeInterval(5))
            twin.scriptSHA256 = digest
            try await store.createJobs([twin], scripts: [digest: script], audit: StoreTests.audit("job.install"))
            #expect(try await store.script(sha256: digest) == script)

            _ = try #require(try await store.claimNextJob(serverID: server, now: Self.t0, lease: 30))
            var lost = try await store.expireLeases(now: Self.t0.addingTimeInterval(31), backoffScale: 1)
            #expect(lost.first?.status == .retrying)
            #expect(lost.first?.nextRunAt == Self.t0.addingTimeInterval(91))
            let second = try #require(try await store.claimNextJob(serverID: server, now: Self.t0.addingTimeInterval(91), lease: 30))
            #expect(second.attempt == 2)
            #expect(second.scriptSHA256 == digest)
            lost = try await store.expireLeases(now: Self.t0.addingTimeInterval(200), backoffScale: 1)
            #expect(lost.first?.status == .dead)
            // An operator retries: a fresh budget, attempts keep counting, the same script.
            let retried = try #require(
                try await store.updateJob(id: job.id, audit: StoreTests.audit("job.retry"), at: Self.t0.addingTimeInterval(300)) { job in
                    let changed = JobLifecycle.requeue(&job, attempts: 2, sealedSecrets: nil, now: Self.t0.addingTimeInterval(300))
                    return (changed, changed)
                })
            #expect(retried.verdict)
            #expect(retried.job.status == .queued)
            #expect(retried.job.maxAttempts == 4)
            // A late result from attempt 1 is stale; one for the current attempt after it ended is a duplicate.
            let late = try #require(
                try await store.updateJob(id: job.id, at: Self.t0) { job in
                    let verdict = JobLifecycle.finish(
                        &job, with: .init(attempt: 1, exitCode: 0), sealedResults: nil, now: Self.t0, backoffScale: 1)
                    return (verdict == .applied, verdict)
                })
            #expect(late.verdict == .stale(current: 2))
            let third = try #require(try await store.claimNextJob(serverID: server, now: Self.t0.addingTimeInterval(300), lease: 30))
            #expect(third.id == job.id)
            #expect(third.attempt == 3)
            #expect(third.scriptSHA256 == digest)
        }
    }

    @Test(
        "logs are stored in chunks, read in bounded slices, and cut at the cap with one line saying how much went",
        arguments: TestDatabase.available)
    func logChunks(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await Self.server(store)
            let job = Self.job(on: server, maxAttempts: 1)
            try await Self.queue([job], on: store)
            // Not running yet: nothing is stored.
            #expect(
                try await store.appendLog(jobID: job.id, attempt: 1, lines: ["early"], cap: 100) == .notRunning(status: .queued, attempt: 0)
            )
            _ = try #require(try await store.claimNextJob(serverID: server, now: Self.t0, lease: 30))
            #expect(
                try await store.appendLog(jobID: job.id, attempt: 1, lines: ["0123456789", "abcdefghij"], cap: 100) == .appended(length: 22)
            )
            #expect(
                try await store.appendLog(jobID: job.id, attempt: 1, lines: ["ü" + String(repeating: "x", count: 40)], cap: 100)
                    == .appended(length: 65))
            // 65 + 41 > 100: the line is dropped and counted, and so is everything after it.
            #expect(
                try await store.appendLog(jobID: job.id, attempt: 1, lines: [String(repeating: "y", count: 40), "z"], cap: 100)
                    == .appended(length: 65))
            #expect(
                try await store.appendLog(jobID: job.id, attempt: 2, lines: ["stale"], cap: 100)
                    == .notRunning(status: .running, attempt: 1))

            #expect(
                String(decoding: try await store.logSlice(jobID: job.id, tenantID: job.tenantID, from: 0, limit: 5), as: UTF8.self)
                    == "01234")
            #expect(
                String(decoding: try await store.logSlice(jobID: job.id, tenantID: job.tenantID, from: 8, limit: 6), as: UTF8.self)
                    == "89\nabc")
            #expect(try await store.logSlice(jobID: job.id, tenantID: job.tenantID, from: 22, limit: 2) == Array("ü".utf8))
            #expect(try await store.logSlice(jobID: job.id, tenantID: job.tenantID, from: 65, limit: 10).isEmpty)

            let ended = try #require(
                try await store.updateJob(id: job.id, at: Self.t0) { job in
                    (
                        JobLifecycle.finish(&job, with: .init(attempt: 1, exitCode: 0), sealedResults: nil, now: Self.t0, backoffScale: 1)
                            == .applied, ()
                    )
                })
            #expect(ended.job.status == .succeeded)
            let tail = String(
                decoding: try await store.logSlice(jobID: job.id, tenantID: job.tenantID, from: 65, limit: 1000), as: UTF8.self)
            #expect(tail.hasPrefix("[steward] 43 bytes of output were dropped"))
            #expect(try await store.job(id: job.id)?.logBytes == 65 + Int64(tail.utf8.count))
            #expect(try await store.job(id: job.id)?.logDroppedBytes == 0)
        }
    }

    @Test(
        "secret output names are kept from queueing on; their sealed values come with the result, a retry erases them",
        arguments: TestDatabase.available)
    func secretOutputs(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await Self.server(store)
            var job = Self.job(on: server, maxAttempts: 1)
            job.secretOutputs = ["api_key"]
            try await Self.queue([job], on: store)
            #expect(try await store.job(id: job.id)?.secretOutputs == ["api_key"])
            _ = try #require(try await store.claimNextJob(serverID: server, now: Self.t0, lease: 30))
            let result = Wire.Job.Result(attempt: 1, exitCode: 1, outputs: ["url": "https://a.example", "api_key": "****"])
            _ = try await store.updateJob(id: job.id, at: Self.t0) { job in
                let verdict = JobLifecycle.finish(
                    &job, with: result, sealedResults: nil, sealedOutputs: "sealed-value", now: Self.t0, backoffScale: 1)
                return (verdict == .applied, ())
            }
            let ended = try #require(try await store.job(id: job.id))
            #expect(ended.outputs == ["url": "https://a.example", "api_key": "****"])
            #expect(ended.sealedOutputs == "sealed-value")
            _ = try await store.updateJob(id: job.id, at: Self.t0) { job in
                (JobLifecycle.requeue(&job, attempts: 1, sealedSecrets: nil, now: Self.t0), ())
            }
            let requeued = try #require(try await store.job(id: job.id))
            #expect(requeued.sealedOutputs == nil && requeued.outputs.isEmpty)
            #expect(requeued.secretOutputs == ["api_key"])
        }
    }

    @Test("waiting jobs behind a failed predecessor are cancelled; decommissioning cancels what is open", arguments: TestDatabase.available)
    func chainsAndDecommission(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await Self.server(store)
            let dependency = Self.job(on: server, maxAttempts: 1)
            var dependent = Self.job(on: server, at: Self.t0.addingTimeInterval(1))
            dependent.afterJobID = dependency.id
            try await Self.queue([dependency, dependent], on: store)
            _ = try #require(try await store.claimNextJob(serverID: server, now: Self.t0, lease: 30))
            // The dependent cannot be claimed while its predecessor has not succeeded.
            _ = try await store.updateJob(id: dependency.id, at: Self.t0) { job in
                (
                    JobLifecycle.finish(&job, with: .init(attempt: 1, exitCode: 1), sealedResults: nil, now: Self.t0, backoffScale: 1)
                        == .applied, ()
                )
            }
            #expect(try await store.claimNextJob(serverID: server, now: Self.t0, lease: 30) == nil)
            let cancelled = try await store.cancelOrphanedJobs(now: Self.t0)
            #expect(cancelled.map(\.id) == [dependent.id])
            #expect(cancelled.first?.status == .cancelled)

            let open = Self.job(on: server, at: Self.t0.addingTimeInterval(2))
            try await Self.queue([open], on: store)
            let closed = try #require(
                try await store.decommissionServer(
                    id: server, tenantID: Store.defaultTenant, at: Self.t0, audit: StoreTests.audit("server.decommission")))
            #expect(closed.map(\.id) == [open.id])
            #expect(try await store.job(id: open.id)?.error == "the server was decommissioned")
        }
    }
}
