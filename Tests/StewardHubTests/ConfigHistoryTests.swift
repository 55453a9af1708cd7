import Crypto
import Foundation
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardHub

/// Config history on SQLite and PostgreSQL: versions kept only on change, newest first and bounded,
/// masked diffs, restores as audited jobs, the git export, and the drift check falling due on an
/// injected clock.
struct ConfigHistoryTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func version(
        _ store: Store, server: String, path: String = "/srv/app/.env", content: String, source: ConfigVersionRecord.Source = .fileWrite,
        deleted: Bool = false, at: Date = t0
    ) -> ConfigVersionRecord {
        let data = Data(content.utf8)
        return ConfigVersionRecord(
            tenantID: Store.defaultTenant, serverID: server, path: path, sha256: SHA256.hex(of: data), size: Int64(data.count),
            deleted: deleted, secret: false, appID: nil, source: source, jobID: nil, author: "owner@example.com",
            maskedContent: deleted ? nil : content, sealedContent: deleted ? nil : "sealed", createdAt: at)
    }

    /// A step result reporting `path` as holding `content` (or missing).
    static func file(_ path: String, _ content: String?, type: Wire.Job.Step.Kind = .fileWrite, index: Int = 0) -> Wire.Job.StepResult {
        var result = Wire.Job.StepResult(index: index, type: type, exitCode: 0)
        if let content {
            let data = Data(content.utf8)
            result.files = [
                .init(path: path, exists: true, sha256: SHA256.hex(of: data), size: Int64(data.count), content: data.base64EncodedString())
            ]
        } else {
            result.files = [.init(path: path, exists: false)]
        }
        return result
    }

    @Test(
        "a version is kept only when the file changed; a missing file only after a version of it; newest first, at most 100 per path",
        arguments: TestDatabase.available)
    func storage(database: TestDatabase) async throws {
        try await database.withStore { store in
            let server = try await JobStoreTests.server(store)
            let first = try await store.recordConfigVersions([Self.version(store, server: server, content: "A=1\n")])
            #expect(first.count == 1 && first[0].previous == nil)
            #expect(try await store.recordConfigVersions([Self.version(store, server: server, content: "A=1\n")]).isEmpty)
            let second = try await store.recordConfigVersions([Self.version(store, server: server, content: "A=2\n")])
            #expect(second.first?.previous?.id == first[0].version.id)
            #expect(
                try await store.recordConfigVersions([Self.version(store, server: server, path: "/srv/never", content: "", deleted: true)])
                    .isEmpty)
            let gone = try await store.recordConfigVersions([
                Self.version(store, server: server, content: "", source: .drift, deleted: true)
            ])
            #expect(gone.count == 1)
            #expect(try await store.recordConfigVersions([Self.version(store, server: server, content: "", deleted: true)]).isEmpty)

            let versions = try await store.configVersions(serverID: server, path: "/srv/app/.env", tenantID: Store.defaultTenant)
            #expect(versions.map(\.maskedContent) == [nil, "A=2\n", "A=1\n"])
            #expect(versions.map(\.sequence) == [3, 2, 1])
            #expect(versions[0].wire.restorable == false && versions[1].wire.restorable)
            #expect(try await store.configVersion(id: versions[1].id, tenantID: Store.defaultTenant)?.sha256 == versions[1].sha256)
            #expect(try await store.configVersion(id: versions[1].id, tenantID: "another-tenant") == nil)

            // Many versions of one file: the oldest go, another file's stay.
            _ = try await store.recordConfigVersions([Self.version(store, server: server, path: "/srv/other", content: "keep")])
            _ = try await store.recordConfigVersions(
                (1...ConfigVersionRecord.keptPerPath + 5).map { Self.version(store, server: server, path: "/srv/busy", content: "v\($0)") })
            let busy = try await store.configVersions(serverID: server, path: "/srv/busy", tenantID: Store.defaultTenant)
            #expect(busy.count == ConfigVersionRecord.keptPerPath)
            #expect(busy.last?.maskedContent == "v6" && busy.first?.maskedContent == "v105")
            let latest = try await store.latestConfigVersions(serverID: server, tenantID: Store.defaultTenant)
            #expect(latest.map(\.path) == ["/srv/app/.env", "/srv/busy", "/srv/other"])
            #expect(latest.map(\.deleted) == [true, false, false])
            #expect(try await store.allConfigVersions(serverID: server, tenantID: Store.defaultTenant).count == 3 + 100 + 1)

            // Which jobs left versions (a result sent again records only when its job left none).
            var fromJob = Self.version(store, server: server, path: "/srv/jobbed", content: "j")
            fromJob.jobID = "job-with-files"
            _ = try await store.recordConfigVersions([fromJob])
            #expect(try await store.hasConfigVersions(jobID: "job-with-files", tenantID: Store.defaultTenant))
            #expect(try await !store.hasConfigVersions(jobID: "job-without", tenantID: Store.defaultTenant))
            #expect(try await !store.hasConfigVersions(jobID: "job-with-files", tenantID: "another-tenant"))
        }
    }

    @Test("a job's result sent again after a drift does not put its older content back on top", arguments: TestDatabase.available)
    func resentResult(database: TestDatabase) async throws {
        try await database.withStore { store in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let harness = try ServiceHarness(store: store, keysIn: directory.path)
            let server = try await JobStoreTests.server(store)
            let path = "/srv/app/.env"
            var step = Wire.Job.Step(type: .envSet)
            step.path = path
            step.set = ["PORT": "8080"]
            _ = try await harness.jobs.queueSteps(.init(serverID: server, steps: [step]), by: harness.owner)
            let claimed = try #require(try await store.claimNextJob(serverID: server, now: harness.clock.now, lease: 60))
            let result = Wire.Job.Result(attempt: claimed.attempt, exitCode: 0, steps: [Self.file(path, "PORT=8080\n", type: .envSet)])
            _ = try await harness.jobs.recordResult(result, for: claimed)
            harness.clock.advance(by: 60)
            _ = try await store.recordConfigVersions([
                Self.version(store, server: server, path: path, content: "PORT=9090\n", source: .drift)
            ])
            // The agent did not hear the first answer and sends the same result again.
            _ = try await harness.jobs.recordResult(result, for: claimed)
            let versions = try await store.configVersions(serverID: server, path: path, tenantID: Store.defaultTenant)
            #expect(versions.map(\.maskedContent) == ["PORT=9090\n", "PORT=8080\n"])
        }
    }

    @Test(
        "jobs record what they wrote; a diff masks secrets but shows they changed; a restore is a confirmed, audited file.write of the old bytes",
        arguments: TestDatabase.available)
    func recordDiffRestore(database: TestDatabase) async throws {
        try await database.withStore { store in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let harness = try ServiceHarness(store: store, keysIn: directory.path)
            let server = try await JobStoreTests.server(store)
            let path = "/srv/app/.env"
            for (password, port) in [("first-secret-value", "8080"), ("second-secret-value", "9090")] {
                var step = Wire.Job.Step(type: .envSet)
                step.path = path
                step.set = ["DB_PASSWORD": password, "PORT": port]
                _ = try await harness.jobs.queueSteps(.init(serverID: server, steps: [step]), by: harness.owner)
                try await harness.finishNext(
                    on: server, exitCode: 0, steps: [Self.file(path, "DB_PASSWORD=\(password)\nPORT=\(port)\n", type: .envSet)])
                harness.clock.advance(by: 60)
            }
            let versions = try await harness.configHistory.versions(serverID: server, path: path, tenantID: Store.defaultTenant)
            try #require(versions.count == 2)
            #expect(versions.map(\.source) == [.envSet, .envSet] && versions.allSatisfy { $0.author == "owner@example.com" })
            #expect(versions[0].createdAt > versions[1].createdAt && versions[0].jobID != nil)
            let diff = try await harness.configHistory.diff(
                serverID: server, from: versions[1].id, to: versions[0].id, tenantID: Store.defaultTenant)
            #expect(!diff.contains("secret-value"), "\(diff)")
            #expect(
                diff.contains("-DB_PASSWORD=****~") && diff.contains("+DB_PASSWORD=****~") && diff.contains("\n-PORT=8080\n")
                    && diff.contains("\n+PORT=9090\n"), "\(diff)")
            // The job keeps no copy of what the file holds: config history does, sealed.
            let job = try #require(try await store.job(id: versions[0].jobID ?? "", tenantID: Store.defaultTenant))
            #expect(
                job.stepResults.first?.files?.first?.content == nil && job.stepResults.first?.files?.first?.sha256 == versions[0].sha256)

            #expect(
                await ServiceHarness.refusedFields {
                    _ = try await harness.configHistory.restore(
                        serverID: server, versionID: versions[1].id, confirm: "/srv", by: harness.owner)
                } == ["confirm"])
            #expect(
                await ServiceHarness.refusedFields {
                    _ = try await harness.configHistory.restore(serverID: server, versionID: "nope", confirm: path, by: harness.owner)
                } == ["not_found"])
            let restore = try await harness.configHistory.restore(
                serverID: server, versionID: versions[1].id, confirm: path, by: harness.owner)
            #expect(
                restore.kind == .step(.fileWrite)
                    && restore.steps.first?.content == "(\("DB_PASSWORD=first-secret-value\nPORT=8080\n".utf8.count) bytes)")
            let sent = try SecretBox(key: HubKeys.loadOrCreate(in: directory.path, environment: [:]).masterKey)
                .open(try #require(restore.sealedSteps), as: [Wire.Job.Step].self)
            #expect(sent.first?.content.flatMap { Data(base64Encoded: $0) } == Data("DB_PASSWORD=first-secret-value\nPORT=8080\n".utf8))
            #expect(sent.first?.mode == nil, "the file keeps its mode")
            let audit = try await store.auditPage(tenantID: Store.defaultTenant, before: nil, limit: 5, action: "config.restore").items
            #expect(audit.first?.detail["version"] == versions[1].id && audit.first?.detail["path"] == path)
            // The restore's own result is the newest version, equal in content to the first.
            try await harness.finishNext(on: server, exitCode: 0, steps: [Self.file(path, "DB_PASSWORD=first-secret-value\nPORT=8080\n")])
            let after = try await harness.configHistory.versions(serverID: server, path: path, tenantID: Store.defaultTenant)
            #expect(after.count == 3 && after[0].sha256 == versions[1].sha256 && after[0].source == .fileWrite)
        }
    }

    @Test(
        "the drift check falls due per server on the injected clock, once per interval and never twice at once; a change outside Steward is a drift version and event",
        arguments: TestDatabase.available)
    func drift(database: TestDatabase) async throws {
        try await database.withStore { store in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let harness = try ServiceHarness(store: store, keysIn: directory.path)
            let schedule = ConfigDriftSchedule(
                history: harness.configHistory, interval: 3600, period: .seconds(30), ready: StartupGate(), logger: TestDatabase.logger)
            let tracked = try await JobStoreTests.server(store)
            _ = try await JobStoreTests.server(store)
            #expect(await schedule.round().isEmpty, "no server tracks a file yet")
            var write = Wire.Job.Step(type: .fileWrite)
            write.path = "/srv/app/app.conf"
            write.content = Data("port 80\n".utf8).base64EncodedString()
            _ = try await harness.jobs.queueSteps(.init(serverID: tracked, steps: [write]), by: harness.owner)
            try await harness.finishNext(on: tracked, exitCode: 0, steps: [Self.file("/srv/app/app.conf", "port 80\n")])

            #expect(await schedule.round().isEmpty, "the first check is due an interval after the history began")
            harness.clock.advance(by: 3600)
            let first = await schedule.round()
            #expect(first.map(\.serverID) == [tracked] && first.first?.kind == .step(.configCheck))
            #expect(
                first.first?.steps.first?.paths == ["/srv/app/app.conf"] && first.first?.requestedBy == ConfigHistoryService.driftRequester)
            #expect(await schedule.round().isEmpty, "not due again yet")
            harness.clock.advance(by: 3600)
            #expect(await schedule.round().isEmpty, "the first check is still waiting")

            // The agent found the file edited by hand.
            try await harness.finishNext(
                on: tracked, exitCode: 0, steps: [Self.file("/srv/app/app.conf", "port 8081\n", type: .configCheck)])
            let versions = try await harness.configHistory.versions(
                serverID: tracked, path: "/srv/app/app.conf", tenantID: Store.defaultTenant)
            #expect(versions.map(\.source) == [.drift, .fileWrite] && versions[0].author == ConfigVersionRecord.outsideSteward)
            let events = try await store.fleetEvents(tenantID: Store.defaultTenant, kind: "config.drift", limit: 10)
            #expect(events.count == 1 && events[0].serverID == tracked)
            #expect(events.first?.message.contains("-port 80\n+port 8081") == true, "\(events.first?.message ?? "")")

            harness.clock.advance(by: 3600)
            let again = await schedule.round()
            #expect(again.count == 1)
            // Nothing changed since: no version, no event.
            try await harness.finishNext(
                on: tracked, exitCode: 0, steps: [Self.file("/srv/app/app.conf", "port 8081\n", type: .configCheck)])
            #expect(try await store.fleetEvents(tenantID: Store.defaultTenant, kind: "config.drift", limit: 10).count == 1)
            #expect(
                try await harness.configHistory.versions(serverID: tracked, path: "/srv/app/app.conf", tenantID: Store.defaultTenant).count
                    == 2)

            // A removed file is a drift too, and a decommissioned server is never checked.
            harness.clock.advance(by: 3600)
            #expect(await schedule.round().count == 1)
            try await harness.finishNext(on: tracked, exitCode: 0, steps: [Self.file("/srv/app/app.conf", nil, type: .configCheck)])
            #expect(
                try await store.fleetEvents(tenantID: Store.defaultTenant, kind: "config.drift", limit: 10).first?.message.contains(
                    "was removed") == true)
            _ = try await store.decommissionServer(
                id: tracked, tenantID: Store.defaultTenant, at: harness.clock.now, audit: StoreTests.audit("server.decommission"))
            harness.clock.advance(by: 3600)
            #expect(await schedule.round().isEmpty)
        }
    }

    @Test(
        "an install reads back its app's config_files: versions by the app, a secret file shown only by checksum, upgrades track them too",
        arguments: TestDatabase.available)
    func appConfigFiles(database: TestDatabase) async throws {
        try await database.withStore { store in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let harness = try ServiceHarness(store: store, keysIn: directory.path)
            let server = try await JobStoreTests.server(store)
            let install = try await harness.jobs.queueApp(
                .install, appID: "vault", body: .init(serverID: server, inputs: [:]), by: harness.owner)
            #expect(
                install.release?.configFiles == [.init(path: "/srv/vault/vault.conf"), .init(path: "/srv/vault/key.pem", secret: true)])
            #expect(install.release?.trackedPaths == ["/srv/vault/vault.conf", "/srv/vault/key.pem"])
            var script = Wire.Job.StepResult(index: 0, type: .script, exitCode: 0)
            let key = Data("-----BEGIN PRIVATE KEY-----\nMIIEv\n".utf8)
            script.files = [
                Self.file("/srv/vault/vault.conf", "listen 8200\npassword = open-sesame\n", type: .script).files![0],
                .init(
                    path: "/srv/vault/key.pem", exists: true, sha256: SHA256.hex(of: key), size: Int64(key.count),
                    content: key.base64EncodedString()),
                .init(path: "/srv/vault/missing.conf", exists: false),
                .init(path: "/etc/shadow", exists: false, error: "not allowed by this agent's policy"),
            ]
            try await harness.finishNext(on: server, exitCode: 0, steps: [script])
            let latest = try await harness.configHistory.versions(serverID: server, path: nil, tenantID: Store.defaultTenant)
            #expect(latest.map(\.path) == ["/srv/vault/key.pem", "/srv/vault/vault.conf"])
            #expect(latest.allSatisfy { $0.source == .app && $0.appID == "vault" && $0.jobID == install.id })
            #expect(latest[0].secret && latest[0].maskedContent == "(secret file: \(key.count) bytes, SHA-256 \(SHA256.hex(of: key)))\n")
            #expect(
                latest[1].maskedContent?.contains("password = ****~") == true && latest[1].maskedContent?.contains("open-sesame") == false)
            // The drift check reads the app's files under the rule for its scripts: in a step naming the app.
            let check = try await harness.configHistory.checkNow(serverID: server, by: harness.owner)
            #expect(check.steps.map(\.app) == ["vault"] && check.steps.first?.paths == ["/srv/vault/key.pem", "/srv/vault/vault.conf"])
        }
    }

    @Test(
        "the export replays every version as a commit of masked files: git fsck is clean and git log counts the changes",
        arguments: TestDatabase.available)
    func export(database: TestDatabase) async throws {
        try await database.withStore { store in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let harness = try ServiceHarness(store: store, keysIn: directory.path)
            let server = try await JobStoreTests.server(store)
            for (index, content) in ["DB_PASSWORD=one-secret\n", "DB_PASSWORD=two-secret\n", "DB_PASSWORD=two-secret\nX=1\n"].enumerated() {
                var write = Wire.Job.Step(type: .fileWrite)
                write.path = index == 1 ? "/etc/app/other.conf" : "/etc/app/.env"
                write.content = Data(content.utf8).base64EncodedString()
                _ = try await harness.jobs.queueSteps(.init(serverID: server, steps: [write]), by: harness.owner)
                try await harness.finishNext(on: server, exitCode: 0, steps: [Self.file(write.path ?? "", content)])
                harness.clock.advance(by: 60)
            }
            let (_, archive) = try await harness.configHistory.export(serverID: server, tenantID: Store.defaultTenant)
            try archive.write(to: URL(fileURLWithPath: directory.path + "/export.tar"))
            #expect(try ConfigHistoryFormatTests.run(["tar", "-xf", "export.tar"], in: directory.path).status == 0)
            let fsck = try ConfigHistoryFormatTests.run(["git", "-C", "config.git", "fsck", "--strict"], in: directory.path)
            #expect(fsck.status == 0, "\(fsck.output)")
            let log = try ConfigHistoryFormatTests.run(["git", "-C", "config.git", "log", "--format=%ae %s"], in: directory.path)
            #expect(
                log.output
                    == "owner@example.com file.write /etc/app/.env\nowner@example.com file.write /etc/app/other.conf\nowner@example.com file.write /etc/app/.env\n"
            )
            let everything = try ConfigHistoryFormatTests.run(["git", "-C", "config.git", "log", "-p"], in: directory.path).output
            #expect(
                !everything.contains("one-secret") && !everything.contains("two-secret") && everything.contains("+X=1"), "\(everything)")
        }
    }
}
