import Foundation
import SQLKit
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardHub

/// Installations, backups and health checks in storage, on SQLite and on PostgreSQL: what a job's
/// queueing and its end do to its installation, in the job's own transactions, with explicit times.
struct InstallationStoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// A job of `role` on the installation, as the services make them.
    static func job(_ role: ScriptRole, on installation: InstallationRecord, version: String = "1.0.0", at: Date = t0) -> JobRecord {
        var job = JobStoreTests.job(on: installation.serverID, kind: .app(role), at: at, maxAttempts: 1)
        job.tenantID = installation.tenantID
        job.appID = installation.appID
        job.appVersion = version
        job.installationID = installation.id
        job.sealedSecrets = "sealed-\(role.rawValue)-\(version)"
        job.secretNames = ["PASSWORD"]
        return job
    }

    static func claim(_ job: JobRecord, _ installation: InstallationRecord, isNew: Bool) -> InstallationClaim {
        let role = job.kind.scriptRole ?? .install
        return .init(
            installation: installation, isNew: isNew, jobID: job.id, status: role.statusWhileRunning ?? installation.status,
            pendingSealedSecrets: role == .install || role == .upgrade ? job.sealedSecrets : nil)
    }

    /// Claims the job's attempt and ends it with `exitCode` (and `rolledBack`, `steps`) at `at`.
    @discardableResult
    static func run(
        _ job: JobRecord, store: Store, exitCode: Int, rolledBack: Bool? = nil, steps: [Wire.Job.StepResult] = [],
        outputs: [String: String] = [:], at: Date = t0
    ) async throws -> JobRecord {
        let claimed = try #require(try await store.claimNextJob(serverID: job.serverID, now: at, lease: 60))
        #expect(claimed.id == job.id)
        let result = Wire.Job.Result(attempt: claimed.attempt, exitCode: exitCode, outputs: outputs, steps: steps, rolledBack: rolledBack)
        return try #require(
            try await store.updateJob(id: job.id, at: at) { job in
                (JobLifecycle.finish(&job, with: result, sealedResults: nil, now: at, backoffScale: 1) == .applied, ())
            }
        ).job
    }

    /// An installation of `greeter` on a fresh server, installed by a successful job.
    static func installed(_ store: Store, tenant: String = Store.defaultTenant, serverID: String? = nil) async throws -> InstallationRecord
    {
        let server: String
        if let serverID { server = serverID } else { server = try await JobStoreTests.server(store) }
        let new = InstallationRecord(
            id: UUID().uuidString.lowercased(), tenantID: tenant, serverID: server, appID: "greeter", createdAt: t0)
        let install = job(.install, on: new)
        try await store.createJobs(
            [install], scripts: [:], audit: RowLevelSecurityTests.audit(tenant, "job.install"), claims: [claim(install, new, isNew: true)])
        try await run(install, store: store, exitCode: 0, outputs: ["admin_url": "http://web-1/"])
        return try #require(try await store.installation(id: new.id, tenantID: tenant))
    }

    /// An installed app with one health check and one pending backup: a row in each table.
    static func populate(_ store: Store, tenant: String, serverID: String) async throws {
        let installation = try await installed(store, tenant: tenant, serverID: serverID)
        let check = job(.health, on: installation)
        try await store.createJobs([check], scripts: [:], audit: nil, claims: [])
        try await run(check, store: store, exitCode: 0)
        let backup = job(.backup, on: installation)
        let record = BackupRecord(
            id: UUID().uuidString.lowercased(), tenantID: tenant, installationID: installation.id, serverID: serverID, kind: .manual,
            jobID: backup.id, appVersion: "1.0.0", paths: ["/etc/greeter"], hasDump: false, createdAt: t0)
        try await store.createJobs(
            [backup], scripts: [:], audit: RowLevelSecurityTests.audit(tenant, "installation.backup"), claims: [], backups: [record])
        try await run(backup, store: store, exitCode: 1)
    }

    @Test(
        "an install makes the installation: installing while it runs, installed with its inputs, version and outputs once it succeeds",
        arguments: TestDatabase.available)
    func install(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await JobStoreTests.server(store)
            let new = InstallationRecord(
                id: UUID().uuidString.lowercased(), tenantID: Store.defaultTenant, serverID: server, appID: "greeter", createdAt: Self.t0)
            var install = Self.job(.install, on: new)
            let release = AppRelease(
                version: "1.0.0", scripts: ["install": String(repeating: "1", count: 64), "health": String(repeating: "2", count: 64)],
                backupPaths: ["/etc/greeter"])
            install.release = release
            try await store.createJobs(
                [install], scripts: [:], audit: StoreTests.audit("job.install"), claims: [Self.claim(install, new, isNew: true)])
            #expect(try await store.job(id: install.id)?.release == release)
            var stored = try #require(try await store.installation(serverID: server, appID: "greeter", tenantID: Store.defaultTenant))
            #expect(stored.status == .installing)
            #expect(stored.version == nil)
            #expect(stored.activeJobID == install.id)
            #expect(stored.pendingSealedSecrets == "sealed-install-1.0.0")
            #expect(stored.sealedSecrets == nil, "secrets become the installation's only when the install succeeds")

            try await Self.run(
                install, store: store, exitCode: 0, outputs: ["admin_url": "http://web-1/"], at: Self.t0.addingTimeInterval(5))
            stored = try #require(try await store.installation(id: new.id, tenantID: Store.defaultTenant))
            #expect(stored.status == .installed)
            #expect(stored.version == "1.0.0")
            #expect(stored.release == release, "the installed version's scripts and paths, fixed at queue time")
            #expect(stored.inputs == ["GREETING": "hello"])
            #expect(stored.secretNames == ["PASSWORD"])
            #expect(stored.sealedSecrets == "sealed-install-1.0.0")
            #expect(stored.outputs == ["admin_url": "http://web-1/"])
            #expect(stored.activeJobID == nil)
            #expect(stored.pendingSealedSecrets == nil)
            #expect(stored.lastJobID == install.id)
            #expect(stored.nextHealthAt == Self.t0.addingTimeInterval(5 + 300), "health checks start one interval after the install")
            #expect(try await store.installations(tenantID: Store.defaultTenant, serverID: server).map(\.id) == [new.id])
            #expect(try await store.installations(tenantID: "t-other", serverID: nil).isEmpty)
        }
    }

    @Test("one job at a time changes an installation: a second claim is refused and changes nothing", arguments: TestDatabase.available)
    func busy(database: TestDatabase) async throws {
        try await database.withStore { store in
            let installation = try await Self.installed(store)
            let upgrade = Self.job(.upgrade, on: installation, version: "2.0.0")
            try await store.createJobs(
                [upgrade], scripts: [:], audit: StoreTests.audit("installation.upgrade"),
                claims: [Self.claim(upgrade, installation, isNew: false)])
            #expect(try await store.installation(id: installation.id, tenantID: Store.defaultTenant)?.status == .upgrading)
            let reconfigure = Self.job(.install, on: installation)
            await #expect(throws: InstallationClaim.Busy.self) {
                try await store.createJobs(
                    [reconfigure], scripts: [:], audit: StoreTests.audit("installation.reconfigure"),
                    claims: [Self.claim(reconfigure, installation, isNew: false)])
            }
            #expect(try await store.job(id: reconfigure.id) == nil, "the refused job was not queued")
            // A backup only looks: queued beside, its end leaves the upgrade's hold and the status alone.
            let backup = Self.job(.backup, on: installation, at: Self.t0.addingTimeInterval(-1))
            try await store.createJobs([backup], scripts: [:], audit: nil, claims: [])
            try await Self.run(backup, store: store, exitCode: 1)
            let held = try #require(try await store.installation(id: installation.id, tenantID: Store.defaultTenant))
            #expect(held.activeJobID == upgrade.id)
            #expect(held.pendingSealedSecrets == "sealed-upgrade-2.0.0")
            #expect(held.status == .upgrading)
            #expect(held.lastJobID == backup.id)
        }
    }

    @Test(
        "installs queued through /apps join the installation and take it when they start; two making it at once share one",
        arguments: TestDatabase.available)
    func sharedClaims(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await JobStoreTests.server(store)
            func install() -> (JobRecord, InstallationClaim) {
                let new = InstallationRecord(
                    id: UUID().uuidString.lowercased(), tenantID: Store.defaultTenant, serverID: server, appID: "greeter",
                    createdAt: Self.t0)
                var job = Self.job(.install, on: new)
                job.sealedSecrets = "sealed-\(job.id)"
                return (
                    job,
                    .init(
                        installation: new, isNew: true, jobID: job.id, status: .installing, pendingSealedSecrets: job.sealedSecrets,
                        exclusive: false)
                )
            }
            let (first, firstClaim) = install()
            let (second, secondClaim) = install()
            async let a = store.createJobs([first], scripts: [:], audit: nil, claims: [firstClaim])
            async let b = store.createJobs([second], scripts: [:], audit: nil, claims: [secondClaim])
            let queued = try await a + b
            let installations = try await store.installations(tenantID: Store.defaultTenant, serverID: server)
            #expect(installations.count == 1)
            let installation = try #require(installations.first)
            #expect(queued.allSatisfy { $0.installationID == installation.id })
            #expect(try await store.job(id: second.id)?.installationID == installation.id)
            // Whichever runs holds it, with its own secrets; the second waits and takes it after.
            let running = try #require(try await store.claimNextJob(serverID: server, now: Self.t0, lease: 60))
            var stored = try #require(try await store.installation(id: installation.id, tenantID: Store.defaultTenant))
            #expect(stored.activeJobID == running.id)
            #expect(stored.pendingSealedSecrets == "sealed-\(running.id)")
            _ = try await store.updateJob(id: running.id, at: Self.t0) { job in
                (
                    JobLifecycle.finish(&job, with: .init(attempt: 1, exitCode: 0), sealedResults: nil, now: Self.t0, backoffScale: 1)
                        == .applied, ()
                )
            }
            let next = try #require(try await store.claimNextJob(serverID: server, now: Self.t0, lease: 60))
            #expect(next.id != running.id)
            stored = try #require(try await store.installation(id: installation.id, tenantID: Store.defaultTenant))
            #expect(stored.activeJobID == next.id)
            #expect(stored.status == .installing)
            #expect(stored.sealedSecrets == "sealed-\(running.id)", "the first success's secrets, until the second succeeds")
        }
    }

    @Test(
        "an upgrade that succeeds moves the version; one rolled back keeps it, installed; one whose rollback failed is failed",
        arguments: TestDatabase.available)
    func upgrades(database: TestDatabase) async throws {
        try await database.withStore { store in
            for (exitCode, rolledBack, status, version) in [
                (0, nil, InstallationRecord.Status.installed, "2.0.0"), (2, true, .installed, "1.0.0"), (2, false, .failed, "1.0.0"),
            ] as [(Int, Bool?, InstallationRecord.Status, String)] {
                let installation = try await Self.installed(store)
                let upgrade = Self.job(.upgrade, on: installation, version: "2.0.0")
                try await store.createJobs(
                    [upgrade], scripts: [:], audit: StoreTests.audit("installation.upgrade"),
                    claims: [Self.claim(upgrade, installation, isNew: false)])
                let ended = try await Self.run(upgrade, store: store, exitCode: exitCode, rolledBack: rolledBack)
                let stored = try #require(try await store.installation(id: installation.id, tenantID: Store.defaultTenant))
                #expect(stored.status == status)
                #expect(stored.version == version)
                #expect(stored.sealedSecrets == (exitCode == 0 ? "sealed-upgrade-2.0.0" : "sealed-install-1.0.0"))
                #expect(stored.activeJobID == nil)
                #expect(ended.rolledBack == rolledBack)
                #expect(ended.status == (exitCode == 0 ? .succeeded : rolledBack == true ? .failed : .needsAttention))
                #expect(try await store.job(id: upgrade.id)?.rolledBack == rolledBack, "rolled_back is stored")
            }
        }
    }

    @Test("an uninstall removes the installation and erases its secrets; the app can be installed anew", arguments: TestDatabase.available)
    func uninstall(database: TestDatabase) async throws {
        try await database.withStore { store in
            let installation = try await Self.installed(store)
            let uninstall = Self.job(.uninstall, on: installation)
            try await store.createJobs(
                [uninstall], scripts: [:], audit: StoreTests.audit("installation.uninstall"),
                claims: [Self.claim(uninstall, installation, isNew: false)])
            try await Self.run(uninstall, store: store, exitCode: 0)
            let removed = try #require(try await store.installation(id: installation.id, tenantID: Store.defaultTenant))
            #expect(removed.status == .removed)
            #expect(removed.sealedSecrets == nil)
            #expect(removed.nextHealthAt == nil)
            #expect(try await store.installations(tenantID: Store.defaultTenant, serverID: installation.serverID).isEmpty)
            #expect(
                try await store.installations(tenantID: Store.defaultTenant, serverID: installation.serverID, includeRemoved: true).count
                    == 1)
            #expect(try await store.installation(serverID: installation.serverID, appID: "greeter", tenantID: Store.defaultTenant) == nil)
            let again = try await Self.installed(store, serverID: installation.serverID)
            #expect(again.id != installation.id)
        }
    }

    @Test(
        "health checks are kept (the last 100), set last_health, and are taken when due by one hub at a time",
        arguments: TestDatabase.available)
    func health(database: TestDatabase) async throws {
        try await database.withStore { store in
            let installation = try await Self.installed(store)
            let due = try #require(installation.nextHealthAt)
            #expect(try await store.takeDueHealthChecks(now: due.addingTimeInterval(-1), limit: 10).isEmpty)
            async let first = store.takeDueHealthChecks(now: due, limit: 10)
            async let second = store.takeDueHealthChecks(now: due, limit: 10)
            let taken = try await first + second
            #expect(taken.map(\.id) == [installation.id], "taken once, whichever hub asked first")
            #expect(
                try await store.installation(id: installation.id, tenantID: Store.defaultTenant)?.nextHealthAt
                    == due.addingTimeInterval(300))

            for (index, exitCode) in [0, 1].enumerated() {
                let check = Self.job(.health, on: installation, at: due.addingTimeInterval(Double(index)))
                try await store.createJobs([check], scripts: [:], audit: nil, claims: [])
                #expect(try await store.hasOpenHealthCheck(installationID: installation.id, tenantID: Store.defaultTenant))
                try await Self.run(check, store: store, exitCode: exitCode, at: due.addingTimeInterval(Double(index) + 1))
            }
            #expect(try await !store.hasOpenHealthCheck(installationID: installation.id, tenantID: Store.defaultTenant))
            let stored = try #require(try await store.installation(id: installation.id, tenantID: Store.defaultTenant))
            #expect(stored.lastHealth?.healthy == false)
            #expect(stored.lastHealth?.exitCode == 1)
            #expect(stored.status == .installed, "a failing health check does not change what is installed")
            let history = try await store.healthChecks(installationID: installation.id, tenantID: Store.defaultTenant)
            #expect(history.map(\.healthy) == [false, true])

            // Only the last 100 stay.
            for index in 0..<101 {
                let check = Self.job(.health, on: installation, at: due.addingTimeInterval(Double(10 + index)))
                try await store.createJobs([check], scripts: [:], audit: nil, claims: [])
                try await Self.run(check, store: store, exitCode: 0, at: due.addingTimeInterval(Double(10 + index)))
            }
            let kept = try await store.healthChecks(installationID: installation.id, tenantID: Store.defaultTenant, limit: 1000)
            #expect(kept.count == 100)
            #expect(kept.allSatisfy { $0.healthy })

            // Off: never due.
            _ = try await store.setHealthInterval(
                installationID: installation.id, tenantID: Store.defaultTenant, seconds: 0, now: due,
                audit: StoreTests.audit("installation.update"))
            #expect(try await store.takeDueHealthChecks(now: due.addingTimeInterval(86_400 * 30), limit: 10).isEmpty)
        }
    }

    @Test(
        "a backup is pending with its job, complete with the archive its step reports, failed with the reason; rotation marks the rest pruned",
        arguments: TestDatabase.available)
    func backups(database: TestDatabase) async throws {
        try await database.withStore { store in
            let installation = try await Self.installed(store)
            func backupJob(keep: [String], at: Date) -> (JobRecord, BackupRecord) {
                var job = Self.job(.backup, on: installation, at: at)
                let record = BackupRecord(
                    id: UUID().uuidString.lowercased(), tenantID: Store.defaultTenant, installationID: installation.id,
                    serverID: installation.serverID, kind: .manual, jobID: job.id, appVersion: "1.0.0", paths: ["/etc/greeter"],
                    hasDump: true, createdAt: at)
                var step = Wire.Job.Step(type: .backup)
                step.backupID = record.id
                step.keep = keep
                job.steps = [step]
                return (job, record)
            }
            func archive(_ id: String) -> Wire.Job.StepResult {
                var result = Wire.Job.StepResult(index: 0, type: .backup, exitCode: 0)
                result.archive = .init(
                    path: "/var/backups/\(id).tar", sizeBytes: 1234, sha256: String(repeating: "a", count: 64), durationMS: 50)
                return result
            }
            let (firstJob, first) = backupJob(keep: [], at: Self.t0)
            try await store.createJobs(
                [firstJob], scripts: [:], audit: StoreTests.audit("installation.backup"), claims: [], backups: [first])
            #expect(try await store.backup(id: first.id, tenantID: Store.defaultTenant)?.status == .pending)
            try await Self.run(firstJob, store: store, exitCode: 0, steps: [archive(first.id)], at: Self.t0.addingTimeInterval(2))
            let completed = try #require(try await store.backup(id: first.id, tenantID: Store.defaultTenant))
            #expect(completed.status == .complete)
            #expect(completed.sizeBytes == 1234)
            #expect(completed.path == "/var/backups/\(first.id).tar")
            #expect(completed.finishedAt == Self.t0.addingTimeInterval(2))
            #expect(completed.paths == ["/etc/greeter"])
            #expect(completed.hasDump)

            let (failingJob, failing) = backupJob(keep: [first.id], at: Self.t0.addingTimeInterval(10))
            try await store.createJobs(
                [failingJob], scripts: [:], audit: StoreTests.audit("installation.backup"), claims: [], backups: [failing])
            try await Self.run(
                failingJob, store: store, exitCode: 1,
                steps: [.init(index: 0, type: .backup, exitCode: 1, error: "the backup script exited with 3")],
                at: Self.t0.addingTimeInterval(11))
            let failed = try #require(try await store.backup(id: failing.id, tenantID: Store.defaultTenant))
            #expect(failed.status == .failed)
            #expect(failed.error == "the backup script exited with 3")

            // A backup told to keep nothing else prunes the first.
            let (thirdJob, third) = backupJob(keep: [], at: Self.t0.addingTimeInterval(20))
            try await store.createJobs(
                [thirdJob], scripts: [:], audit: StoreTests.audit("installation.backup"), claims: [], backups: [third])
            try await Self.run(thirdJob, store: store, exitCode: 0, steps: [archive(third.id)], at: Self.t0.addingTimeInterval(21))
            let statuses = try await store.backups(installationID: installation.id, tenantID: Store.defaultTenant).map {
                ($0.id, $0.status)
            }
            #expect(statuses.map(\.0) == [third.id, failing.id, first.id], "newest first")
            #expect(statuses.map(\.1) == [.complete, .failed, .pruned])
            #expect(try await store.backups(installationID: installation.id, tenantID: "t-other").isEmpty)
        }
    }

    @Test("a decommissioned server's apps are neither listed nor checked", arguments: TestDatabase.available)
    func decommissioned(database: TestDatabase) async throws {
        try await database.withStore { store in
            let installation = try await Self.installed(store)
            let due = try #require(installation.nextHealthAt)
            _ = try await store.decommissionServer(
                id: installation.serverID, tenantID: Store.defaultTenant, at: Self.t0, audit: StoreTests.audit("server.decommission"))
            #expect(try await store.installations(tenantID: Store.defaultTenant, serverID: nil).isEmpty)
            #expect(try await store.takeDueHealthChecks(now: due, limit: 10).isEmpty)
        }
    }

    @Test(
        "a backup rule fires for an app with no successful backup for its hours, counted from the install, and resolves after one",
        arguments: TestDatabase.available)
    func backupAlert(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await JobStoreTests.server(store)
            let new = InstallationRecord(
                id: UUID().uuidString.lowercased(), tenantID: Store.defaultTenant, serverID: server, appID: "greeter", createdAt: Self.t0)
            var install = Self.job(.install, on: new)
            install.release = AppRelease(version: "1.0.0", scripts: [:], backupPaths: ["/etc/greeter"])
            try await store.createJobs(
                [install], scripts: [:], audit: StoreTests.audit("job.install"), claims: [Self.claim(install, new, isNew: true)])
            try await Self.run(install, store: store, exitCode: 0)
            let rule = AlertRuleRecord(
                id: "rule-backup", tenantID: Store.defaultTenant, name: "no backup", kind: .backup, threshold: 24, forSeconds: 0,
                cooldownSeconds: 0, createdAt: Self.t0)
            #expect(try await store.createRule(rule, audit: StoreTests.audit("alert_rule.create")))
            let hour: TimeInterval = 3600
            #expect(try await AlertingStoreTests.evaluate(store, at: Self.t0.addingTimeInterval(23 * hour)).isEmpty)
            let fired = try await AlertingStoreTests.evaluate(store, at: Self.t0.addingTimeInterval(25 * hour))
            #expect(fired.map(\.alert.state) == [.firing])
            #expect(fired.first?.alert.subject == new.id)
            #expect(fired.first?.alert.summary.contains("never been backed up") == true)

            let backupJob = Self.job(.backup, on: new, at: Self.t0.addingTimeInterval(25 * hour))
            let record = BackupRecord(
                id: "b-1", tenantID: Store.defaultTenant, installationID: new.id, serverID: server, kind: .manual, jobID: backupJob.id,
                appVersion: "1.0.0", paths: ["/etc/greeter"], hasDump: false, createdAt: Self.t0.addingTimeInterval(25 * hour))
            try await store.createJobs([backupJob], scripts: [:], audit: nil, claims: [], backups: [record])
            var archive = Wire.Job.StepResult(index: 0, type: .backup, exitCode: 0)
            archive.archive = .init(path: "/x.tar", sizeBytes: 1, sha256: String(repeating: "b", count: 64), durationMS: 1)
            try await Self.run(backupJob, store: store, exitCode: 0, steps: [archive], at: Self.t0.addingTimeInterval(25 * hour + 60))
            let resolved = try await AlertingStoreTests.evaluate(store, at: Self.t0.addingTimeInterval(26 * hour))
            #expect(resolved.map(\.alert.state) == [.resolved])
            // A day later without another backup, it fires again.
            let again = try await AlertingStoreTests.evaluate(store, at: Self.t0.addingTimeInterval(50 * hour))
            #expect(again.first?.alert.summary.contains("no successful backup for 24 h") == true)
        }
    }

    @Test("rotation keeps the newest snapshots and manual backups, and scheduled ones by day (7) and week (4)")
    func retention() {
        let day: TimeInterval = 86_400
        func backup(_ kind: BackupRecord.Kind, daysAgo: Double, id: String) -> BackupRecord {
            BackupRecord(
                id: id, tenantID: "t", installationID: "i", serverID: "s", kind: kind, jobID: "j", appVersion: "1", paths: [],
                hasDump: false, createdAt: Self.t0.addingTimeInterval(-daysAgo * day))
        }
        let snapshots = (1...5).map { backup(.snapshot, daysAgo: Double($0), id: "snap-\($0)") }
        #expect(BackupRetention.keep(snapshots, adding: .snapshot, now: Self.t0, snapshots: 3) == ["snap-1", "snap-2"])
        #expect(BackupRetention.keep(snapshots, adding: .manual, now: Self.t0, snapshots: 3) == ["snap-1", "snap-2", "snap-3"])
        // Two a day for 40 days; today's new one takes today and this week.
        let scheduled = (0..<80).map { backup(.scheduled, daysAgo: Double($0) / 2 + 0.1, id: String(format: "s-%02d", $0)) }
        let kept = scheduled.filter { Set(BackupRetention.keep(scheduled, adding: .scheduled, now: Self.t0, snapshots: 3)).contains($0.id) }
        var utc = Calendar(identifier: .iso8601)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let today = utc.startOfDay(for: Self.t0)
        let keptDays = kept.map { utc.startOfDay(for: $0.createdAt) }
        #expect(Set(keptDays).count == keptDays.count, "one a day at most")
        #expect(!keptDays.contains(today), "today's is the new one")
        for back in 1...6 { #expect(keptDays.contains(utc.date(byAdding: .day, value: -back, to: today)!), "\(back) days ago") }
        let weeks = Set((kept.map(\.createdAt) + [Self.t0]).map { utc.dateComponents([.yearForWeekOfYear, .weekOfYear], from: $0) })
        #expect(weeks.count == 4, "this week and the three before")
        #expect(kept.count <= 6 + 3)
    }
}
