import Crypto
import Foundation
import HTTPTypes
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardHub

/// The console's config history: a server's tracked files, a file's versions, a coloured masked
/// diff, a confirmed restore, a drift check and the download.
struct ConsoleConfigHistoryTests {
    /// Queues a `file.write` of `content` through the API and has the agent report it done.
    static func write(
        _ client: HubTestApp.Client, server: String, bearer: String, path: String, content: String
    ) async throws {
        let body = try JSONSerialization.data(withJSONObject: [
            "server_id": server, "steps": [["type": "file.write", "path": path, "content": Data(content.utf8).base64EncodedString()]],
        ])
        let queued = try await client.send(.post, "/api/v1/jobs", json: String(decoding: body, as: UTF8.self))
        let job = try queued.decode(Wire.Job.Info.self)
        let claimed = try await client.send(.post, "/api/v1/agent/jobs/next?wait=0", json: "{}", bearer: bearer)
        #expect(try claimed.decode(Wire.JobEnvelope.self).jobID == job.id)
        let result = Wire.Job.Result(attempt: 1, exitCode: 0, steps: [ConfigHistoryTests.file(path, content)])
        #expect(try await client.send(.post, "/api/v1/agent/jobs/\(job.id)/result", body: result, bearer: bearer).status == .ok)
    }

    @Test("files, versions, a masked coloured diff, a restore confirmed by the path, a drift check and the download")
    func pages() async throws {
        try await HubTestApp.run { client in
            let (bearer, serverID) = try await AgentJobAPITests.agent(client)
            let path = "/srv/shop/app.ini"
            try await Self.write(
                client, server: serverID, bearer: bearer, path: path, content: "[db]\npassword = first-hidden\nport = 5432\n")
            try await Self.write(
                client, server: serverID, bearer: bearer, path: path, content: "[db]\npassword = second-hidden\nport = 6432\n")
            let owner = ConsoleTests.Browser(client)
            _ = try await owner.signIn()

            #expect(try await owner.get("/servers/\(serverID)").text.contains(#"href="/servers/\#(serverID)/config""#))
            let files = try await owner.get("/servers/\(serverID)/config")
            #expect(files.status == .ok)
            #expect(files.text.contains(#"href="/servers/\#(serverID)/config?path=/srv/shop/app.ini""#), "\(files.text)")
            #expect(files.text.contains("Check for drift now") && files.text.contains("Download as a git repository"))

            let versions = try await owner.get("/servers/\(serverID)/config?path=/srv/shop/app.ini")
            #expect(versions.status == .ok)
            let ids = versions.text.matches(of: /data-version="([0-9a-f-]+)"/).map { String($0.output.1) }
            try #require(ids.count == 2)
            #expect(versions.text.contains(#"name="to" value="\#(ids[0])""#) && versions.text.contains("Restore a version"))

            let diff = try await owner.get("/servers/\(serverID)/config/diff?from=\(ids[1])&to=\(ids[0])")
            #expect(diff.status == .ok)
            #expect(
                diff.text.contains(#"<span class="remove">-port = 5432</span>"#)
                    && diff.text.contains(#"<span class="add">+port = 6432</span>"#))
            #expect(diff.text.contains(#"<span class="remove">-password = ****~"#) && !diff.text.contains("-hidden"), "\(diff.text)")
            #expect(try await owner.get("/servers/\(serverID)/config/diff?from=nope&to=\(ids[0])").status == .notFound)

            let csrf = try ConsoleTests.Browser.csrf(in: versions.text)
            let wrong = try await owner.post("/servers/\(serverID)/config/versions/\(ids[1])/restore", ["_csrf": csrf, "confirm": "/srv"])
            #expect(wrong.status == .unprocessableContent && wrong.text.contains("to restore it"), "\(wrong.text)")
            #expect(try await owner.post("/servers/\(serverID)/config/versions/\(ids[1])/restore", ["confirm": path]).status == .forbidden)
            let restored = try await owner.post("/servers/\(serverID)/config/versions/\(ids[1])/restore", ["_csrf": csrf, "confirm": path])
            #expect(restored.status == .seeOther)
            let jobID = try #require(restored.headers[.location]?.split(separator: "/").last.map(String.init))
            let job = try await client.send(.get, "/api/v1/jobs/\(jobID)").decode(Wire.Job.Info.self)
            #expect(job.kind == "file.write" && job.steps.first?.path == path)
            #expect(try await client.send(.get, "/api/v1/audit?action=config.restore").text.contains(ids[1]))

            let check = try await owner.post("/servers/\(serverID)/config/check", ["_csrf": csrf])
            #expect(check.status == .seeOther)
            let download = try await owner.get("/servers/\(serverID)/config/export")
            #expect(download.status == .ok && download.headers[.contentType] == "application/x-tar")
            #expect(download.headers[.contentDisposition]?.contains("-config.tar") == true)
            #expect(try await owner.get("/servers/nope/config").status == .notFound)
            #expect(try await owner.get("/servers/\(serverID)/config?path=/srv/none").status == .notFound)
        }
    }
}
