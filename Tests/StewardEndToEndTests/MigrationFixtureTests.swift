import Foundation
import NIOHTTP1
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// Upgrades from the first released schema. `Fixtures/migrations/` holds a `steward hub backup` of a
/// populated hub on each database, made with the release whose schema is migration 22. Each is
/// restored into a new directory (and database) and a hub of this build starts on it: its migrations
/// must carry every row forward, so a later migration that loses, breaks or cannot read old rows
/// fails here. `STEWARD_WRITE_MIGRATION_FIXTURES=1` writes the fixtures again from this build (for
/// the record of how they were made: the point is that they stay as they are).
@Suite(.serialized)
struct MigrationFixtureTests {
    static let directory = Fixtures.repositoryRoot + "/Tests/StewardEndToEndTests/Fixtures/migrations"
    static let passphrase = "steward migration fixture"
    static let secret = "fixture-secret-value"

    static func fixture(_ database: TestDatabase) -> String { "\(directory)/schema-22-\(database).backup" }

    @Test(
        "a hub of this build starts on a populated database of the first released schema and keeps all of it",
        arguments: TestDatabase.available)
    func upgrade(database: TestDatabase) async throws {
        if ProcessInfo.processInfo.environment["STEWARD_WRITE_MIGRATION_FIXTURES"] == "1" { try await write(database) }
        try await database.withFreshLocation { (location: DatabaseLocation) -> Void in
            let work = try TemporaryDirectory()
            defer { work.remove() }
            var restore = ["hub", "restore", "--in", Self.fixture(database), "--data-dir", work.path + "/hub"]
            var run = [
                "hub", "--data-dir", work.path + "/hub", "--listen", "127.0.0.1:0", "--no-builtin-catalog", "--catalog",
                Fixtures.jobsCatalog,
            ]
            if case .postgresql(let url) = location {
                restore += ["--database-url", url]
                run += ["--database-url", url]
            }
            let restored = try StewardProcess(
                restore, environment: ["STEWARD_BACKUP_PASSPHRASE": Self.passphrase], logPath: work.path + "/restore.log")
            #expect(try await restored.waitForExit(timeout: .seconds(60)) == 0, "\(restored.output)")
            let hub = try StewardProcess(run, logPath: work.path + "/hub.log")
            defer { hub.signal(SIGTERM) }
            let api = try await HubAPI.connect(to: hub)

            let servers = try await api.servers()
            #expect(servers.count == 1)
            #expect(servers.first?.labels == ["env": "fixture"])
            let jobs = try await api.decode(Wire.ItemList<Wire.Job.Info>.self, "/api/v1/jobs").items
            #expect(jobs.count == 1)
            #expect(jobs.first?.status == .succeeded)
            #expect(jobs.first?.inputs["SECRET"] == "****")
            let rules = try await api.decode(Wire.ItemList<Wire.Alerting.Rule>.self, "/api/v1/alert-rules").items
            #expect(rules.map(\.name) == ["offline for a minute"])
            let logRules = try await api.decode(Wire.ItemList<Wire.LogRules.Rule>.self, "/api/v1/log-rules").items
            #expect(logRules.map(\.pattern) == [#"\bERROR\b"#])
            let channels = try await api.decode(Wire.ItemList<Wire.Alerting.Channel>.self, "/api/v1/notification-channels").items
            #expect(channels.map(\.name) == ["hooks"])
            let tokens = try await api.decode(Wire.ItemList<Wire.RegistrationToken.Info>.self, "/api/v1/registration-tokens").items
            #expect(Set(tokens.map(\.status)) == [.usedUp, .active])
            #expect(try await api.decode(Wire.Audit.Page.self, "/api/v1/audit").items.count >= 5)
            // Secrets the old hub sealed open with its restored keys.
            let installations = try await api.decode(Wire.ItemList<Wire.Installations.Item>.self, "/api/v1/installations").items
            let installation = try #require(installations.first)
            let revealed = try await api.request(.POST, "/api/v1/installations/\(installation.id)/credentials")
            #expect(try Wire.makeDecoder().decode(Wire.Installations.Credentials.self, from: revealed.body).inputs["secret"] == Self.secret)
            #expect(!hub.output.contains(Self.secret))
            // And the upgraded database takes writes.
            #expect(!(try await api.createToken(maxUses: 1)).isEmpty)
        }
    }

    /// Makes a fixture: a hub and an agent, an install with a secret, a label, rules, a channel and a
    /// spare token, then `steward hub backup` of it all.
    private func write(_ database: TestDatabase) async throws {
        try await JobsEndToEndTests.withFleet(database) { api, serverID, directory, hub, _ in
            let job = try await api.install(
                "probe", server: serverID, inputs: ["marker": .text(directory.path + "/marker"), "secret": .text(Self.secret)])
            #expect(try await api.waitForJob(job.id) { $0.status.isFinal }.status == .succeeded)
            for (method, path, body) in [
                ("PATCH", "/api/v1/servers/\(serverID)", #"{"labels": {"env": "fixture"}}"#),
                (
                    "POST", "/api/v1/alert-rules",
                    #"{"name": "offline for a minute", "kind": "offline", "for_seconds": 60, "cooldown_seconds": 600}"#
                ),
                ("POST", "/api/v1/log-rules", #"{"name": "errors", "pattern": "\\bERROR\\b"}"#),
                (
                    "POST", "/api/v1/notification-channels",
                    #"{"name": "hooks", "type": "webhook", "url": "https://hooks.example.com/steward", "secret": "fixture-webhook-secret"}"#
                ),
                ("POST", "/api/v1/registration-tokens", #"{"description": "spare", "max_uses": 5}"#),
            ] {
                let answer = try await api.request(method == "PATCH" ? .PATCH : .POST, path, body: Data(body.utf8))
                #expect((200..<300).contains(answer.status.code), "\(path): \(String(decoding: answer.body, as: UTF8.self))")
            }
            let arguments = hub.process.arguments ?? []
            let databaseURL = arguments.firstIndex(of: "--database-url").map { arguments[$0 + 1] }
            let backup = try StewardProcess(
                ["hub", "backup", "--data-dir", directory.path + "/hub", "--out", Self.fixture(database)]
                    + (databaseURL.map { ["--database-url", $0] } ?? []),
                environment: ["STEWARD_BACKUP_PASSPHRASE": Self.passphrase], logPath: directory.path + "/backup.log")
            #expect(try await backup.waitForExit(timeout: .seconds(60)) == 0, "\(backup.output)")
        }
    }
}

extension HubAPI {
    func decode<T: Decodable>(_ type: T.Type, _ path: String) async throws -> T {
        let answer = try await request(.GET, path)
        guard answer.status == .ok else { throw TestFailure("\(path) answered \(answer.status)") }
        return try Wire.makeDecoder().decode(type, from: answer.body)
    }
}
