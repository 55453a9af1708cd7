import Foundation
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardHub

/// The retention sweeper on SQLite and PostgreSQL, with an injected clock: what is past its age
/// goes in batches, what is younger or still open stays, and a job another waits on outlives it.
struct RetentionTests {
    static let now = Date(timeIntervalSince1970: 1_900_000_000)

    /// A job of the server created and finished `daysAgo` days before ``now``, with one log line.
    static func finishedJob(_ store: Store, server: String, daysAgo: Double, after: String? = nil) async throws -> JobRecord {
        let at = now.addingTimeInterval(-daysAgo * 86_400)
        var job = JobStoreTests.job(on: server, at: at, maxAttempts: 1)
        job.afterJobID = after
        try await store.createJobs([job], audit: StoreTests.audit("job.install"))
        // A job waiting on another is claimed only after that one succeeded, which it did.
        let claimed = try #require(try await store.claimNextJob(serverID: server, now: at, lease: 60))
        #expect(claimed.id == job.id)
        _ = try await store.appendLog(jobID: job.id, attempt: 1, lines: ["log of \(daysAgo) days ago"], cap: 1 << 20)
        return try #require(
            try await store.updateJob(id: job.id, at: at) { job in
                let result = Wire.Job.Result(attempt: 1, exitCode: 0)
                return (JobLifecycle.finish(&job, with: result, sealedResults: nil, now: at, backoffScale: 1) == .applied, ())
            }
        ).job
    }

    @Test(
        "logs go after 90 days, jobs after 400, in batches; open jobs, chains' heads and young rows stay; old audit entries and expired sessions go",
        arguments: TestDatabase.available)
    func sweep(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await JobStoreTests.server(store)
            let ancient = try await Self.finishedJob(store, server: server, daysAgo: 500)
            let follower = try await Self.finishedJob(store, server: server, daysAgo: 450, after: ancient.id)
            let older = try await Self.finishedJob(store, server: server, daysAgo: 100)
            let recent = try await Self.finishedJob(store, server: server, daysAgo: 10)
            var waiting = JobStoreTests.job(on: server, at: Self.now.addingTimeInterval(-600 * 86_400))
            waiting.afterJobID = recent.id
            try await store.createJobs([waiting], audit: StoreTests.audit("job.install"))
            let ann = try await TeamStoreTests.member("ann@example.com", role: .viewer, store: store)
            for (id, expired) in [("s-old", -3.0), ("s-yesterday", -0.5), ("s-live", 1.0)] {
                let session = SessionRecord(
                    id: id, tenantID: Store.defaultTenant, userID: ann.id, tokenHash: "h-\(id)", csrfToken: "c", sourceAddress: "192.0.2.1",
                    createdAt: Self.now.addingTimeInterval(-10 * 86_400), expiresAt: Self.now.addingTimeInterval(expired * 86_400))
                try await store.createSession(session, audit: StoreTests.audit("console.login"))
            }

            let clock = ManualClock(Self.now)
            let sweeper = RetentionSweeper(
                store: store, clock: clock.hubClock, settings: .init(), ready: StartupGate(), logger: TestDatabase.logger)
            let purged = try await sweeper.round()
            // Logs: of the 500-, 450- and 100-day-old jobs. Jobs: the follower first; its head is
            // waited on until then, and goes in the next batch of the same round.
            #expect(purged.logs == 3 && purged.jobs == 2, "\(purged)")
            #expect(try await store.job(id: ancient.id, tenantID: Store.defaultTenant) == nil)
            #expect(try await store.job(id: follower.id, tenantID: Store.defaultTenant) == nil)
            let kept = try #require(try await store.job(id: older.id, tenantID: Store.defaultTenant))
            #expect(try await store.logSlice(jobID: kept.id, tenantID: Store.defaultTenant, from: 0, limit: 100).isEmpty)
            #expect(!(try await store.logSlice(jobID: recent.id, tenantID: Store.defaultTenant, from: 0, limit: 100).isEmpty))
            #expect(try await store.job(id: waiting.id, tenantID: Store.defaultTenant)?.status == .queued, "an open job is never purged")
            // Audit entries older than 400 days: those of the two old jobs (and their enrolment's, made at t0).
            let audit = try await store.auditPage(tenantID: Store.defaultTenant, before: nil, limit: 100).items
            #expect(audit.allSatisfy { $0.createdAt > Self.now.addingTimeInterval(-400 * 86_400) }, "\(audit.map(\.createdAt))")
            #expect(purged.auditEntries >= 3)
            #expect(purged.sessions == 1)
            #expect(
                try await store.sessions(userID: ann.id, now: Self.now.addingTimeInterval(-86_400)).map(\.id).sorted() == [
                    "s-live", "s-yesterday",
                ])
            #expect(try await sweeper.round() == .init(), "nothing left to purge")

            // A year on, the rest is old too; but the queued job still waits on the recent one.
            clock.advance(by: 400 * 86_400)
            let later = try await sweeper.round()
            #expect(later.jobs == 1 && later.logs == 1 && later.sessions == 2, "\(later)")
            #expect(try await store.job(id: older.id, tenantID: Store.defaultTenant) == nil)
            #expect(try await store.job(id: recent.id, tenantID: Store.defaultTenant) != nil)
        }
    }

    @Test("retention ages are checked at start")
    func settings() {
        #expect(throws: ConfigurationError.self) { try RetentionSettings(jobDays: 0).validate() }
        #expect(throws: ConfigurationError.self) { try RetentionSettings(jobDays: 30, logDays: 90).validate() }
        #expect(throws: Never.self) { try RetentionSettings().validate() }
    }
}
