import Crypto
import Foundation
import NIOHTTP1
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// The life of an installed app through a real hub and a real agent: install, an upgrade that
/// succeeds, one whose health check fails and is rolled back to byte-identical files, a backup, a
/// restore after damage, the credentials view, and the removal. The catalog changes version the
/// way an operator's does: the hub restarts with the new one.
@Suite(.serialized)
struct LifecycleEndToEndTests {
    /// The `keeper` app, version `version`, keeping its files under `root`: `conf/` is a declared
    /// backup path, `data/db.txt` stands for a database that its `backup` script dumps. `broken`
    /// versions upgrade their files and then fail their health check.
    static func writeCatalog(at directory: String, version: Int, root: String, broken: Bool = false) throws {
        let app = directory + "/keeper"
        try? FileManager.default.removeItem(atPath: app)
        try FileManager.default.createDirectory(atPath: app, withIntermediateDirectories: true)
        let files: [String: String] = [
            "manifest.yml": """
            id: keeper
            name: Keeper
            version: "\(version)"
            category: testing
            inputs:
              - name: greeting
                type: string
                default: hello
              - name: admin_password
                type: password
                generate: { length: 24 }
            scripts: { install: install.sh, upgrade: upgrade.sh, health: health.sh, backup: backup.sh, restore: restore.sh, uninstall: uninstall.sh }
            backup: { paths: ["\(root)/conf"] }
            outputs: [{ name: admin_password_hint, secret: true }]
            timeout_seconds: 60
            retry: { max_attempts: 1 }
            """,
            "install.sh": """
            #!/bin/sh
            set -e
            mkdir -p \(root)/conf \(root)/data
            printf 'version=\(version)\\ngreeting=%s\\npassword=%s\\n' "$GREETING" "$ADMIN_PASSWORD" > \(root)/conf/app.conf
            [ -f \(root)/data/db.txt ] || echo 'rows=1' > \(root)/data/db.txt
            echo "admin_password_hint=${ADMIN_PASSWORD%????????????????????}" >> "$STEWARD_OUTPUT"
            echo installed \(version)
            """,
            "upgrade.sh": """
            #!/bin/sh
            set -e
            sed -i 's/^version=.*/version=\(version)/' \(root)/conf/app.conf
            echo 'added by \(version)' > \(root)/conf/extra-\(version).conf
            echo 'rows=2' > \(root)/data/db.txt
            echo upgraded to \(version)
            """,
            "health.sh": broken
                ? "#!/bin/sh\necho 'version \(version) does not answer' >&2\nexit 1\n"
                : "#!/bin/sh\nset -e\ngrep -q '^version=' \(root)/conf/app.conf\ngrep -q '^rows=' \(root)/data/db.txt\necho healthy\n",
            "backup.sh": "#!/bin/sh\nset -e\ncp \(root)/data/db.txt \"$STEWARD_BACKUP_DIR/db.dump\"\n",
            "restore.sh": "#!/bin/sh\nset -e\ncp \"$STEWARD_BACKUP_DIR/db.dump\" \(root)/data/db.txt\necho loaded the dump\n",
            "uninstall.sh": "#!/bin/sh\nset -e\nrm -rf \(root)\necho removed\n",
        ]
        for (name, content) in files {
            try content.write(toFile: app + "/" + name, atomically: true, encoding: .utf8)
            if name.hasSuffix(".sh") { chmod(app + "/" + name, 0o755) }
        }
    }

    /// Every file under `root` with its content's SHA-256 and mode.
    static func snapshot(_ root: String) -> [String: String] {
        var files: [String: String] = [:]
        for path in (FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []).sorted() {
            let full = root + "/" + path
            guard let data = FileManager.default.contents(atPath: full) else { continue }
            let mode = (try? FileManager.default.attributesOfItem(atPath: full)[.posixPermissions] as? Int) ?? -1
            files[path] = SHA256.hash(data: data).description + " \(String(mode, radix: 8))"
        }
        return files
    }

    @Test(
        "install → upgrade → failing upgrade rolled back to identical files → backup → damage → restore → credentials → uninstall",
        arguments: TestDatabase.available)
    func lifecycle(database: TestDatabase) async throws {
        try await database.withFreshLocation { (location: DatabaseLocation) -> Void in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let root = directory.path + "/srv/keeper"
            let catalog = directory.path + "/catalog"
            // One port for every start of the hub: the agent knows the hub by its address.
            var hubArguments = [
                "hub", "--data-dir", directory.path + "/hub", "--listen", "127.0.0.1:\(try freeLoopbackPort())", "--heartbeat-interval",
                "1",
                "--no-builtin-catalog", "--catalog", catalog,
            ]
            if case .postgresql(url: let url) = location { hubArguments += ["--database-url", url] }
            func startHub(version: Int, broken: Bool = false) async throws -> (StewardProcess, HubAPI) {
                try Self.writeCatalog(at: catalog, version: version, root: root, broken: broken)
                let hub = try StewardProcess(
                    hubArguments, environment: ["STEWARD_BOOTSTRAP_TOKEN": FleetEndToEndTests.ownerToken, "LOG_LEVEL": "debug"],
                    logPath: directory.path + "/hub-\(version).log")
                return (hub, try await HubAPI.connect(to: hub))
            }
            var (hub, api) = try await startHub(version: 1)
            let agent = try StewardProcess(
                [
                    "agent", "--hub", api.baseURL, "--token", try await api.createToken(maxUses: 1), "--state-dir",
                    directory.path + "/agent", "--max-backoff", "2",
                ],
                environment: ["LOG_LEVEL": "debug"], logPath: directory.path + "/agent.log")
            func steward(_ arguments: String...) async throws -> (status: Int32, output: String) {
                let process = try StewardProcess(
                    arguments, environment: ["STEWARD_HUB": api.baseURL, "STEWARD_API_TOKEN": FleetEndToEndTests.ownerToken],
                    logPath: directory.path + "/cli-\(UUID()).log")
                return (try await process.waitForExit(), process.output)
            }
            do {
                try await eventually("the agent is online") { try await api.servers().first?.status == .online }
                let serverID = try #require(try await api.servers().first?.id)

                // Install: the installation keeps the inputs, the generated password sealed.
                let install = try await api.install("keeper", server: serverID, inputs: ["greeting": "bonjour"])
                #expect(try await api.waitForJob(install.id) { $0.status.isFinal }.status == .succeeded)
                var installation = try #require(try await api.installations(server: serverID).first)
                #expect(installation.appID == "keeper")
                #expect(installation.status == "installed")
                #expect(installation.version == "1")
                #expect(!installation.upgradeAvailable)
                #expect(installation.inputs["ADMIN_PASSWORD"] == "****")
                #expect(installation.inputs["GREETING"] == "bonjour")
                let table = try await steward("installations", "list", "--server", serverID)
                #expect(table.status == 0)
                #expect(table.output.contains(installation.id) && table.output.contains("keeper") && table.output.contains("installed"))

                // The credentials view reveals the generated password, audited; lists never do.
                let credentials = try await api.decode(
                    Wire.Installations.Credentials.self, .POST, "/api/v1/installations/\(installation.id)/credentials")
                let password = try #require(credentials.inputs["admin_password"])
                #expect(password.count == 24)
                #expect(try String(contentsOfFile: root + "/conf/app.conf", encoding: .utf8).contains("password=\(password)"))
                #expect(credentials.outputs["admin_password_hint"] == String(password.prefix(4)))
                #expect(!(try await api.text("/api/v1/installations")).contains(password))
                #expect(try await api.text("/api/v1/audit").contains("installation.credentials"))

                // Version 2 in the catalog: the upgrade snapshots, upgrades, checks health, succeeds.
                await hub.stop()
                (hub, api) = try await startHub(version: 2)
                installation = try #require(try await api.installations(server: serverID).first)
                #expect(installation.upgradeAvailable)
                #expect(installation.availableVersion == "2")
                let upgrade = try await api.action(installation.id, "upgrade")
                let upgraded = try await api.waitForJob(upgrade.id) { $0.status.isFinal }
                #expect(upgraded.status == .succeeded, "\(upgraded)")
                #expect(upgraded.rolledBack == nil)
                installation = try #require(try await api.installations(server: serverID).first)
                #expect(installation.version == "2")
                #expect(
                    try String(contentsOfFile: root + "/conf/app.conf", encoding: .utf8).contains("password=\(password)"), "same inputs")
                let beforeBrokenUpgrade = Self.snapshot(root)
                #expect(beforeBrokenUpgrade["conf/extra-2.conf"] != nil)

                // Version 3 upgrades its files and then fails its health check: rolled back.
                await hub.stop()
                (hub, api) = try await startHub(version: 3, broken: true)
                let broken = try await api.action(installation.id, "upgrade")
                let rolledBack = try await api.waitForJob(broken.id) { $0.status.isFinal }
                #expect(rolledBack.status == .failed)
                #expect(rolledBack.rolledBack == true)
                #expect(rolledBack.error?.contains("rolled back") == true, "\(rolledBack.error ?? "")")
                #expect(Self.snapshot(root) == beforeBrokenUpgrade, "byte-identical to before the upgrade, data dump included")
                let log = try await api.text("/api/v1/jobs/\(broken.id)/logs")
                #expect(log.contains("upgraded to 3"))
                #expect(log.contains("version 3 does not answer"))
                #expect(log.contains("[steward] rolled back"))
                #expect(!log.contains(password), "the password is masked in the log")
                installation = try #require(try await api.installations(server: serverID).first)
                #expect(installation.status == "installed")
                #expect(installation.version == "2")
                let snapshots = try await api.backups(installation.id)
                #expect(snapshots.map(\.kind) == ["snapshot", "snapshot"])
                #expect(snapshots.allSatisfy { $0.status == "complete" && ($0.sizeBytes ?? 0) > 0 })

                // A reconfigure runs the catalog's install, which is another version now: refused.
                let early = try await api.post(
                    "/api/v1/installations/\(installation.id)/reconfigure", body: #"{"inputs": {"greeting": "hi"}}"#)
                #expect(early.status == .conflict)
                #expect(String(decoding: early.body, as: UTF8.self).contains("upgrade_first"))

                // Back on version 2: a backup, damage, a restore.
                await hub.stop()
                (hub, api) = try await startHub(version: 2)
                let backupJob = try await api.action(installation.id, "backup")
                #expect(try await api.waitForJob(backupJob.id) { $0.status.isFinal }.status == .succeeded)
                let backup = try #require(try await api.backups(installation.id).first)
                #expect(backup.kind == "manual")
                #expect(backup.status == "complete")
                #expect(backup.sha256?.count == 64)
                let healthy = Self.snapshot(root)
                try "rows=0, corrupted\n".write(toFile: root + "/data/db.txt", atomically: true, encoding: .utf8)
                try FileManager.default.removeItem(atPath: root + "/conf/app.conf")

                let unconfirmed = try await api.post(
                    "/api/v1/installations/\(installation.id)/restore", body: #"{"backup_id": "\#(backup.id)"}"#)
                #expect(unconfirmed.status == .unprocessableEntity)
                // The same through the command line, followed to its end.
                let listed = try await steward("installations", "backups", installation.id)
                #expect(listed.status == 0)
                #expect(listed.output.contains(backup.id) && listed.output.contains("manual") && listed.output.contains("snapshot"))
                let restore = try await steward(
                    "installations", "restore", installation.id, "--backup", backup.id, "--confirm", "keeper", "--follow")
                #expect(restore.status == 0, "\(restore.output)")
                #expect(restore.output.contains("loaded the dump") && restore.output.contains("healthy"))
                #expect(Self.snapshot(root) == healthy)

                // A health check on demand is kept as the installation's last.
                let check = try await api.action(installation.id, "check-health")
                #expect(try await api.waitForJob(check.id) { $0.status.isFinal }.status == .succeeded)
                installation = try #require(try await api.installations(server: serverID).first)
                #expect(installation.lastHealth?.healthy == true)
                #expect(installation.lastHealth?.jobID == check.id)

                // Uninstall with the stored inputs: removed, and gone from the list.
                let uninstall = try await api.action(installation.id, "uninstall")
                #expect(try await api.waitForJob(uninstall.id) { $0.status.isFinal }.status == .succeeded)
                #expect(try await api.installations(server: serverID).isEmpty)
                #expect(!FileManager.default.fileExists(atPath: root))
                let gone = try await api.post("/api/v1/installations/\(installation.id)/credentials")
                #expect(gone.status == .ok)
                #expect(
                    try Wire.makeDecoder().decode(Wire.Installations.Credentials.self, from: gone.body).inputs.isEmpty, "secrets erased")
            } catch {
                print("--- agent log ---\n" + agent.output.split(separator: "\n").suffix(60).joined(separator: "\n"))
                print("--- hub log ---\n" + hub.output.split(separator: "\n").suffix(60).joined(separator: "\n"))
                await agent.stop()
                await hub.stop()
                throw error
            }
            await agent.stop()
            await hub.stop()
        }
    }
}

extension HubAPI {
    func installations(server: String) async throws -> [Wire.Installations.Item] {
        try await decode(Wire.ItemList<Wire.Installations.Item>.self, .GET, "/api/v1/installations?server=\(server)").items
    }

    func backups(_ installation: String) async throws -> [Wire.Installations.Backup] {
        try await decode(Wire.ItemList<Wire.Installations.Backup>.self, .GET, "/api/v1/installations/\(installation)/backups").items
    }

    /// `POST /api/v1/installations/{id}/{action}`, which must queue a job.
    func action(_ installation: String, _ action: String) async throws -> Wire.Job.Info {
        let answer = try await post("/api/v1/installations/\(installation)/\(action)")
        guard answer.status == .accepted else {
            throw TestFailure("\(action) answered \(answer.status): \(String(decoding: answer.body, as: UTF8.self))")
        }
        return try Wire.makeDecoder().decode(Wire.Job.Info.self, from: answer.body)
    }

    func decode<T: Decodable>(_ type: T.Type, _ method: HTTPMethod, _ path: String) async throws -> T {
        let answer = try await request(method, path)
        guard answer.status == .ok else {
            throw TestFailure("\(method) \(path) answered \(answer.status): \(String(decoding: answer.body, as: UTF8.self))")
        }
        return try Wire.makeDecoder().decode(type, from: answer.body)
    }
}
