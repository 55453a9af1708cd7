import Foundation
import HTTPTypes
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardHub

/// The console's installed apps: a server's list, an installation's page, its buttons and the
/// credentials view, by role.
struct ConsoleInstallationsTests {
    @Test("a server lists its apps; an installation's page shows inputs masked, health, backups, and what each role may do")
    func pages() async throws {
        try await HubTestApp.run { client in
            let (installation, bearer) = try await InstallationAPITests.installed(client)
            let owner = ConsoleTests.Browser(client)
            _ = try await owner.signIn()

            let server = try await owner.get("/servers/\(installation.serverID)")
            #expect(server.text.contains("Installed apps"))
            #expect(server.text.contains(#"href="/installations/\#(installation.id)""#))

            let page = try await owner.get("/installations/\(installation.id)")
            #expect(page.status == .ok)
            #expect(page.text.contains("<h1>webapp <small>2.1.0</small></h1>"))
            #expect(page.text.contains("<code>shop.example.com</code>"))
            #expect(page.text.contains("<code>****</code>"), "secret inputs masked")
            #expect(!page.text.contains("typed-api-key-value"))
            #expect(page.text.contains("No health checks yet."))
            #expect(page.text.contains("No backups yet."))
            #expect(page.text.contains("Check now"), "webapp has a health script")
            #expect(!page.text.contains("Back up now"), "webapp declares nothing to back up")
            #expect(!page.text.contains(#"id="upgrade""#), "nothing to upgrade to")
            #expect(page.text.contains("Show passwords and secret outputs"))
            let csrf = try ConsoleTests.Browser.csrf(in: page.text)

            // The credentials, shown once, audited.
            let revealed = try await owner.post("/installations/\(installation.id)/credentials", ["_csrf": csrf])
            #expect(revealed.status == .ok)
            #expect(revealed.text.contains("typed-api-key-value"))
            #expect(try await client.send(.get, "/api/v1/audit?action=installation.credentials").text.contains("owner@example.com"))
            #expect(try await owner.post("/installations/\(installation.id)/credentials", [:]).status == .forbidden, "the form token")

            // A health check from the page runs as a job; its result shows in the history.
            let check = try await owner.post("/installations/\(installation.id)/check-health", ["_csrf": csrf])
            #expect(check.status == .seeOther)
            let jobID = try #require(check.headers[.location]?.split(separator: "/").last.map(String.init))
            try await InstallationAPITests.finish(client, jobID, bearer: bearer, exitCode: 1)
            let after = try await owner.get("/installations/\(installation.id)")
            #expect(after.text.contains("failing (exit 1)"))
            #expect(after.text.contains(#"href="/jobs/\#(jobID)""#))

            // Removal is confirmed by typing the app's id.
            let unconfirmed = try await owner.post("/installations/\(installation.id)/uninstall", ["_csrf": csrf, "confirm": "nginx"])
            #expect(unconfirmed.status == .unprocessableContent)
            #expect(unconfirmed.text.contains("Type webapp exactly"))
            let backup = try await owner.post("/installations/\(installation.id)/backup", ["_csrf": csrf])
            #expect(backup.status == .conflict)
            #expect(backup.text.contains("declares nothing to back up"))
            let restore = try await owner.post(
                "/installations/\(installation.id)/backups/nope/restore", ["_csrf": csrf, "confirm": "webapp"])
            #expect(restore.status == .unprocessableContent)
            #expect(restore.text.contains("no backup nope of this installation"))

            // An operator acts but does not see the passwords; a viewer only reads.
            _ = try await AccountAPITests.member(client, "op@example.com", role: .operator)
            _ = try await AccountAPITests.member(client, "viewer@example.com", role: .viewer)
            let operatorBrowser = ConsoleTests.Browser(client)
            _ = try await operatorBrowser.signIn(email: "op@example.com", password: AccountAPITests.password)
            let operatorPage = try await operatorBrowser.get("/installations/\(installation.id)")
            #expect(operatorPage.text.contains("Check now") && operatorPage.text.contains("Uninstall webapp"))
            #expect(!operatorPage.text.contains("Show passwords"))
            let operatorCSRF = try ConsoleTests.Browser.csrf(in: operatorPage.text)
            #expect(
                try await operatorBrowser.post("/installations/\(installation.id)/credentials", ["_csrf": operatorCSRF]).status
                    == .forbidden)
            let viewer = ConsoleTests.Browser(client)
            _ = try await viewer.signIn(email: "viewer@example.com", password: AccountAPITests.password)
            let viewerPage = try await viewer.get("/installations/\(installation.id)")
            #expect(viewerPage.status == .ok)
            #expect(!viewerPage.text.contains("Check now") && !viewerPage.text.contains("Uninstall webapp"))

            let removed = try await owner.post("/installations/\(installation.id)/uninstall", ["_csrf": csrf, "confirm": "webapp"])
            #expect(removed.status == .seeOther)
            #expect(try await owner.get("/installations/nope").status == .notFound)
        }
    }

    @Test(
        "nightly backups are scheduled from an app's page; the schedules page turns them off and deletes them; a rollout's page shows its servers and cancels"
    )
    func schedulesAndRollouts() async throws {
        try await HubTestApp.run(catalogDirectories: [Fixtures.validCatalog, Fixtures.lifecycleCatalog]) { client in
            let (bearer, serverID) = try await AgentJobAPITests.agent(client)
            let queued = try await client.send(.post, "/api/v1/apps/vault/install", json: #"{"server_id": "\#(serverID)"}"#)
            let install = try queued.decode(Wire.Job.Info.self)
            try await InstallationAPITests.finish(client, install.id, bearer: bearer, exitCode: 0)
            let installationID = try #require(install.installationID)
            let owner = ConsoleTests.Browser(client)
            _ = try await owner.signIn()
            let page = try await owner.get("/installations/\(installationID)")
            #expect(page.text.contains("Back up now") && page.text.contains(#"id="schedule-backups""#))
            let csrf = try ConsoleTests.Browser.csrf(in: page.text)

            let badHour = try await owner.post(
                "/installations/\(installationID)/schedule-backups", ["_csrf": csrf, "hour": "25", "time_zone": "UTC"])
            #expect(badHour.status == .unprocessableContent)
            let badZone = try await owner.post(
                "/installations/\(installationID)/schedule-backups", ["_csrf": csrf, "hour": "3", "time_zone": "Mars/Base"])
            #expect(badZone.status == .unprocessableContent)
            #expect(badZone.text.contains("time_zone"))
            let scheduled = try await owner.post(
                "/installations/\(installationID)/schedule-backups", ["_csrf": csrf, "hour": "3", "time_zone": "Europe/Berlin"])
            #expect(scheduled.status == .seeOther)
            let list = try await owner.get("/schedules")
            #expect(list.text.contains("<code>0 3 * * *</code> <small>Europe/Berlin</small>"))
            #expect(list.text.contains("Turn off"))
            let schedule = try #require(
                try await client.send(.get, "/api/v1/schedules").decode(Wire.ItemList<Wire.Schedules.Info>.self).items.first)
            #expect(schedule.action.installationID == installationID && schedule.action.job == "backup")
            let off = try await owner.post("/schedules/\(schedule.id)/toggle", ["_csrf": csrf])
            #expect(off.text.contains("is off.") && off.text.contains("Turn on"))
            let deleted = try await owner.post("/schedules/\(schedule.id)/delete", ["_csrf": csrf])
            #expect(deleted.text.contains("The schedule is deleted.") && deleted.text.contains("No schedules yet."))

            #expect(try await client.send(.patch, "/api/v1/servers/\(serverID)", json: #"{"labels": {"env": "lab"}}"#).status == .ok)
            let created = try await client.send(
                .post, "/api/v1/rollouts",
                json:
                    #"{"action": "steps", "steps": [{"type": "file.read", "path": "/etc/hostname"}], "selector": {"labels": {"env": "lab"}}}"#
            )
            #expect(created.status == .created, "\(created.text)")
            let rollout = try created.decode(Wire.Rollouts.Info.self)
            #expect(try await owner.get("/rollouts").text.contains(#"href="/rollouts/\#(rollout.id)""#))
            let detail = try await owner.get("/rollouts/\(rollout.id)")
            #expect(detail.text.contains("web-1") && detail.text.contains("queued") && detail.text.contains("Cancel the rollout"))
            let cancelled = try await owner.post("/rollouts/\(rollout.id)/cancel", ["_csrf": csrf])
            #expect(cancelled.text.contains("The rollout is cancelled.") && !cancelled.text.contains("Cancel the rollout"))
            #expect(try await owner.get("/rollouts/nope").status == .notFound)
        }
    }
}
