import Foundation
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardHub

/// Schedules: storage on both databases, and the runner on a manual clock: on time, once per fire
/// time across a restart, and what a missed fire time does.
struct ScheduleTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func record(_ name: String, cron: String = "*/5 * * * *", tenant: String = Store.defaultTenant, next: Date?) -> ScheduleRecord {
        ScheduleRecord(
            id: UUID().uuidString.lowercased(), tenantID: tenant, name: name, cron: cron, timeZone: "UTC", missed: .skip, enabled: true,
            sealedAction: "sealed", shownAction: .init(installationID: "i-1", job: "backup"), nextRunAt: next,
            requester: DeferredRequester(
                Requester(
                    identity: .init(userID: "u", tenantID: tenant, email: "owner@example.com", role: .owner, credentialID: "c"),
                    sourceAddress: "127.0.0.1")),
            createdAt: t0)
    }

    @Test(
        "schedules are stored, listed, changed and deleted; a due one is taken once however many hubs ask, and moved on",
        arguments: TestDatabase.available)
    func storage(database: TestDatabase) async throws {
        try await database.withStore { store in
            let due = Self.record("nightly", next: Self.t0)
            let later = Self.record("later", next: Self.t0.addingTimeInterval(600))
            for schedule in [due, later] { try await store.createSchedule(schedule, audit: StoreTests.audit("schedule.create")) }
            #expect(try await store.schedules(tenantID: Store.defaultTenant).map(\.name) == ["later", "nightly"])
            #expect(try await store.schedule(id: due.id, tenantID: Store.defaultTenant) == due)
            #expect(try await store.schedule(id: due.id, tenantID: "t-other") == nil)

            let next = Self.t0.addingTimeInterval(300)
            let takers = (0..<4).map { _ in
                Task { try await store.takeDueSchedules(now: Self.t0.addingTimeInterval(1)) { _ in next } }
            }
            var taken: [ScheduleRecord] = []
            for taker in takers { taken += try await taker.value }
            #expect(taken.map(\.id) == [due.id], "one fire time, taken once")
            #expect(taken.first?.nextRunAt == Self.t0, "returned as it was, so that lateness can be judged")
            let moved = try #require(try await store.schedule(id: due.id, tenantID: Store.defaultTenant))
            #expect(moved.nextRunAt == next)
            #expect(moved.lastRunAt == Self.t0.addingTimeInterval(1))
            #expect(try await store.takeDueSchedules(now: Self.t0.addingTimeInterval(2)) { _ in next }.isEmpty)

            let outcome = Wire.Schedules.Outcome(at: Self.t0, jobID: "job-1")
            try await store.recordScheduleOutcome(id: due.id, outcome: outcome)
            var changed = try #require(try await store.schedule(id: due.id, tenantID: Store.defaultTenant))
            #expect(changed.lastOutcome == outcome)
            changed.enabled = false
            changed.nextRunAt = nil
            #expect(try await store.updateSchedule(changed, audit: StoreTests.audit("schedule.update")))
            #expect(try await store.takeDueSchedules(now: Self.t0.addingTimeInterval(86_400)) { _ in nil }.map(\.id) == [later.id])
            #expect(
                try await store.deleteSchedule(
                    id: due.id, tenantID: Store.defaultTenant, at: Self.t0, audit: StoreTests.audit("schedule.delete")))
            #expect(
                try await !store.deleteSchedule(
                    id: due.id, tenantID: Store.defaultTenant, at: Self.t0, audit: StoreTests.audit("schedule.delete")))
        }
    }

    @Test(
        "a nightly backup fires at 03:00 Berlin time on the hub's clock, once, not again after a restart; a missed night is skipped or run once",
        arguments: TestDatabase.available)
    func runner(database: TestDatabase) async throws {
        try await database.withStore { store in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            // 2026-12-07 01:00 UTC = 02:00 in Berlin.
            let harness = try ServiceHarness(
                store: store, keysIn: directory.path, clock: ManualClock(Date(timeIntervalSince1970: 1_796_605_200)))
            let installation = try await harness.installed("vault", inputs: [:])
            let schedule = try await harness.schedules.create(
                .init(cron: "0 3 * * *", timeZone: "Europe/Berlin", action: .init(installationID: installation.id, job: "backup")),
                by: harness.owner)
            #expect(schedule.nextRunAt == Date(timeIntervalSince1970: 1_796_608_800), "03:00 in Berlin is 02:00 UTC")
            #expect(schedule.name == "backup of an installation")
            let runner = ScheduleRunner(
                schedules: harness.schedules, interval: .seconds(10), ready: StartupGate(), logger: TestDatabase.logger)

            harness.clock.advance(by: 3599)
            #expect(await runner.round().isEmpty, "one second early")
            harness.clock.advance(by: 5)
            let fired = await runner.round()
            let outcome = try #require(fired[schedule.id])
            let job = try #require(try await store.job(id: outcome.jobID ?? ""))
            #expect(job.kind == .app(.backup))
            #expect(job.requestedBy == "owner@example.com", "as the operator who made the schedule")
            let backups = try await store.backups(installationID: installation.id, tenantID: Store.defaultTenant)
            #expect(backups.map(\.kind) == [.scheduled])
            #expect(await runner.round().isEmpty)
            // A restarted hub: new services over the same database, the same moment.
            let restarted = try ServiceHarness(store: store, keysIn: directory.path, clock: harness.clock)
            let again = ScheduleRunner(
                schedules: restarted.schedules, interval: .seconds(10), ready: StartupGate(), logger: TestDatabase.logger)
            #expect(await again.round().isEmpty, "not twice across a restart")
            let stored = try #require(try await store.schedule(id: schedule.id, tenantID: Store.defaultTenant))
            #expect(stored.nextRunAt == Date(timeIntervalSince1970: 1_796_608_800 + 86_400))
            #expect(stored.lastOutcome?.jobID == job.id)

            // No hub for three nights: the schedule skips what it missed and waits for the next night.
            try await harness.finishNext(on: installation.serverID, exitCode: 0)
            harness.clock.advance(by: 3 * 86_400)
            let skipped = try #require(await again.round()[schedule.id])
            #expect(skipped.skipped == true)
            #expect(skipped.jobID == nil)
            // With run_once, a missed night runs once when a hub is back.
            _ = try await harness.schedules.update(schedule.id, .init(missed: "run_once"), by: harness.owner)
            harness.clock.advance(by: 5 * 86_400)
            let caughtUp = try #require(await again.round()[schedule.id])
            #expect(caughtUp.jobID != nil)
            #expect(await again.round().isEmpty, "once, however many were missed")
        }
    }

    @Test("bad schedules are refused with every field named")
    func badInput() async throws {
        try await TestDatabase.sqlite.withStore { store in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let harness = try ServiceHarness(store: store, keysIn: directory.path)
            let installation = try await harness.installed("vault", inputs: [:])
            func problems(_ request: Wire.Schedules.Request) async -> [String] {
                await ServiceHarness.refusedFields { _ = try await harness.schedules.create(request, by: harness.owner) }
            }
            #expect(
                await problems(
                    .init(
                        cron: "61 * * * *", timeZone: "Mars/Olympus", missed: "sometimes",
                        action: .init(installationID: "nope", job: "dance")))
                    == ["cron", "time_zone", "missed", "action.installation_id", "action.job"])
            #expect(await problems(.init(cron: "@daily", action: .init())) == ["action"])
            #expect(
                await problems(
                    .init(cron: "@daily", action: .init(installationID: installation.id, job: "backup", serverID: installation.serverID)))
                    == ["action"], "one kind of action")
            var restore = Wire.Job.Step(type: .restore)
            restore.app = "vault"
            #expect(
                await problems(.init(cron: "@daily", action: .init(serverID: installation.serverID, steps: [restore])))
                    .contains("action.steps[0].type"))
            #expect(
                await problems(.init(cron: "@daily", action: .init(rollout: .init(action: "upgrade", selector: .init(labels: [:])))))
                    == ["action.selector.labels", "action.app_id"])
            #expect(try await store.schedules(tenantID: Store.defaultTenant).isEmpty)
        }
    }
}
