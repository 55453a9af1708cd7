import AsyncHTTPClient
import Foundation
import NIOHTTP1
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// An `offline` rule on a real hub watching a real agent: when the agent stops, the alert fires to a
/// real webhook receiver (with a signature that verifies) and through a real SMTP server; when the
/// agent returns, it resolves and both are told; when the agent stops again within the cooldown,
/// the alert fires and no one is told twice.
@Suite(.serialized)
struct AlertsEndToEndTests {
    static let secret = "a-webhook-secret-for-the-test"

    @Test("an offline rule fires to a signed webhook and by e-mail, resolves when the agent returns, and keeps quiet within its cooldown")
    func offlineAlert() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let receiver = try FixtureServer(script: Fixtures.webhookReceiver)
        let mail = try FixtureServer(script: Fixtures.smtpServer, arguments: ["steward", "mail-pass"])
        let smtpURL = "smtp://steward:mail-pass@localhost:\(mail.port)?from=hub@example.com&ca_file=\(mail.directory.path)/cert.pem"
        let hubArguments = [
            "hub", "--data-dir", directory.path + "/hub", "--listen", "127.0.0.1:\(try freeLoopbackPort())", "--heartbeat-interval", "1",
            "--alert-interval", "1", "--allow-private-notification-targets", "--smtp-url", smtpURL,
        ]
        var hub = try StewardProcess(
            hubArguments, environment: ["STEWARD_BOOTSTRAP_TOKEN": FleetEndToEndTests.ownerToken], logPath: directory.path + "/hub.log")
        defer { hub.signal(SIGKILL) }
        var api = try await HubAPI.connect(to: hub)
        let agent = try StewardProcess(
            ["agent", "--hub", api.baseURL, "--token", try await api.createToken(maxUses: 1), "--state-dir", directory.path + "/agent"],
            logPath: directory.path + "/agent.log")
        defer {
            agent.signal(SIGCONT)
            agent.signal(SIGKILL)
        }
        try await eventually("the server is online") { try await api.servers().first?.status == .online }
        let server = try #require(try await api.servers().first)

        func post<T: Decodable>(_ path: String, _ json: String, as type: T.Type) async throws -> T {
            let answer = try await api.request(.POST, path, body: Data(json.utf8))
            guard answer.status == .created else {
                throw TestFailure("\(path): \(answer.status) \(String(decoding: answer.body, as: UTF8.self))")
            }
            return try Wire.makeDecoder().decode(type, from: answer.body)
        }
        let webhook = try await post(
            "/api/v1/notification-channels",
            #"{"name": "ops hook", "type": "webhook", "url": "http://127.0.0.1:\#(receiver.port)/steward", "secret": "\#(Self.secret)"}"#,
            as: Wire.Alerting.Channel.self)
        let email = try await post(
            "/api/v1/notification-channels", #"{"name": "ops mail", "type": "email", "url": "mailto:oncall@example.com"}"#,
            as: Wire.Alerting.Channel.self)
        let rule = try await post(
            "/api/v1/alert-rules",
            #"{"name": "server down", "kind": "offline", "for_seconds": 2, "cooldown_seconds": 3600, "channel_ids": ["\#(webhook.id)", "\#(email.id)"]}"#,
            as: Wire.Alerting.Rule.self)

        // The test notification proves the channel before anything goes wrong.
        let test = try await api.request(.POST, "/api/v1/notification-channels/\(webhook.id)/test")
        #expect(test.status == .ok)
        #expect(try Wire.makeDecoder().decode(Wire.Alerting.Delivery.self, from: test.body).state == "delivered")

        // The agent hangs: offline after three heartbeats, firing two seconds later.
        agent.signal(SIGSTOP)
        let stopped = Date()
        let fired = try await eventually("the firing webhook", timeout: .seconds(30)) { try ReceivedWebhook.all(in: receiver).count >= 2 }
        print("offline alert delivered \(fired) after the agent stopped")
        var hooks = try ReceivedWebhook.all(in: receiver)
        #expect(hooks.map { $0.headers["x-steward-event"] } == ["test", "alert.firing"])
        for hook in hooks {
            let signature = try #require(hook.headers["x-steward-signature"])
            #expect(
                WebhookSignature.verify(header: signature, body: Data(hook.body.utf8), secret: Self.secret, now: Date()), "\(signature)")
            #expect(!WebhookSignature.verify(header: signature, body: Data(hook.body.utf8), secret: "another-secret-entirely", now: Date()))
        }
        let firing = try Wire.makeDecoder().decode(Wire.Alerting.Notification.self, from: Data(hooks[1].body.utf8))
        #expect(firing.event == "alert.firing" && firing.alert?.ruleID == rule.id && firing.alert?.serverID == server.id)
        #expect(firing.alert?.state == "firing" && (firing.alert?.value ?? 0) >= 2)
        #expect(Date().timeIntervalSince(stopped) >= 3, "not before the server was offline and the rule's two seconds had passed")
        try await eventually("the firing e-mail") { mail.files("message", suffix: "eml").count >= 1 }
        let firstMail = String(decoding: try #require(mail.files("message", suffix: "eml").first), as: UTF8.self)
        #expect(firstMail.contains("Firing: server down on \(server.name)"), "\(firstMail)")
        #expect(firstMail.contains("To: <oncall@example.com>"))

        let listed = try await api.request(.GET, "/api/v1/alerts?state=firing")
        let alerts = try Wire.makeDecoder().decode(Wire.ItemList<Wire.Alerting.Alert>.self, from: listed.body).items
        #expect(alerts.count == 1 && alerts.first?.notifiedAt != nil)

        // A restarted hub carries on from what it stored: the firing alert is not told again.
        hub.signal(SIGTERM)
        #expect(try await hub.waitForExit() == 0)
        hub = try StewardProcess(hubArguments, logPath: directory.path + "/hub-again.log")
        api = try await HubAPI.connect(to: hub)
        try await Task.sleep(for: .seconds(3))
        #expect(try ReceivedWebhook.all(in: receiver).count == 2, "no second firing after the restart")

        // The agent returns: the alert resolves and both channels hear of it.
        agent.signal(SIGCONT)
        try await eventually("the resolved webhook", timeout: .seconds(30)) { try ReceivedWebhook.all(in: receiver).count >= 3 }
        hooks = try ReceivedWebhook.all(in: receiver)
        #expect(hooks[2].headers["x-steward-event"] == "alert.resolved")
        try await eventually("the resolved e-mail") { mail.files("message", suffix: "eml").count >= 2 }

        // It hangs again within the cooldown: a new alert fires, and no one is told.
        agent.signal(SIGSTOP)
        try await eventually("the second alert firing", timeout: .seconds(30)) {
            let answer = try await api.request(.GET, "/api/v1/alerts?state=firing")
            return try Wire.makeDecoder().decode(Wire.ItemList<Wire.Alerting.Alert>.self, from: answer.body).items.count == 1
        }
        try await Task.sleep(for: .seconds(2))
        #expect(try ReceivedWebhook.all(in: receiver).count == 3, "nothing more within the cooldown")
        #expect(mail.files("message", suffix: "eml").count == 2)
        let again = try await api.request(.GET, "/api/v1/alerts?state=firing")
        let second = try Wire.makeDecoder().decode(Wire.ItemList<Wire.Alerting.Alert>.self, from: again.body).items
        #expect(second.first?.notifiedAt == nil)

        // Acknowledged: it stays until the server returns, and is listed as acknowledged.
        let acknowledged = try await api.request(.POST, "/api/v1/alerts/\(try #require(second.first).id)/acknowledge")
        #expect(acknowledged.status == .ok)
        let events = try await api.request(.GET, "/api/v1/fleet-events?server_id=\(server.id)")
        let kinds = try Wire.makeDecoder().decode(Wire.ItemList<Wire.Alerting.FleetEvent>.self, from: events.body).items.map(\.kind)
        #expect(kinds.filter { $0 == "server.offline" }.count == 2 && kinds.contains("server.online"), "\(kinds)")
        let deliveries = try await api.request(.GET, "/api/v1/notification-channels/\(webhook.id)/deliveries")
        let log = try Wire.makeDecoder().decode(Wire.ItemList<Wire.Alerting.Delivery>.self, from: deliveries.body).items
        #expect(log.map(\.state) == ["delivered", "delivered", "delivered"] && log.allSatisfy { $0.attempts.first?.statusCode == 200 })
    }
}
