import Foundation
import HTTPTypes
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// The alerting pages: a channel and a rule made through their forms, the alert the rule raises
/// when a server goes offline, acknowledged from the alerts page, and the events page.
struct ConsoleAlertsTests {
    @Test(
        "channels and rules are made through forms (refusals say why), an offline server's alert shows and is acknowledged, events are listed"
    )
    func alertsPages() async throws {
        let clock = ManualClock()
        try await HubTestApp.run(clock: clock.hubClock, alerting: .init(interval: 1)) { client in
            let token = try await client.createToken()
            let agent = try await client.enroll(token: token.token, hostname: "web-<1>")
            let bearer = Wire.AgentCredential(agentID: agent.agentID, secret: agent.agentSecret).bearerValue
            #expect(try await client.send(.post, "/api/v1/agent/heartbeat", json: "{}", bearer: bearer).status == .ok)

            let browser = ConsoleTests.Browser(client)
            _ = try await browser.signIn()
            let channelsPage = try await browser.get("/alerts/channels")
            #expect(channelsPage.status == .ok && channelsPage.text.contains("No channels yet"))
            let csrf = try ConsoleTests.Browser.csrf(in: channelsPage.text)
            let refused = try await browser.post(
                "/alerts/channels", ["_csrf": csrf, "name": "hook", "type": "webhook", "url": "http://127.0.0.1:9/x", "secret": "short"])
            #expect(refused.status == .unprocessableContent && refused.text.contains("secret: must be 16 to 256 characters"))
            #expect(refused.text.contains("value=\"http://127.0.0.1:9/x\""), "what was typed is kept")
            let added = try await browser.post(
                "/alerts/channels",
                ["_csrf": csrf, "name": "hook", "type": "webhook", "url": "http://127.0.0.1:9/x", "secret": "0123456789abcdef-console"])
            #expect(added.status == .ok && added.text.contains("The channel hook is added."), "\(added.text)")
            #expect(!added.text.contains("0123456789abcdef-console"), "the secret is not shown")
            let tested = try await browser.post(
                "/alerts/channels/\(try #require(Self.id(of: "hook", in: added.text)))/test", ["_csrf": csrf])
            #expect(tested.text.contains("The test notification failed") && tested.text.contains("not a public address"))

            let rulesPage = try await browser.get("/alerts/rules")
            #expect(rulesPage.text.contains("No rules yet") && rulesPage.text.contains("name=\"channel_ids[]\""))
            let badRule = try await browser.post(
                "/alerts/rules", ["_csrf": csrf, "name": "disk", "kind": "metric", "metric": "Disk!", "operator": ">", "threshold": "90"])
            #expect(badRule.status == .unprocessableContent && badRule.text.contains("metric: must be a metric name"))
            let rule = try await browser.post(
                "/alerts/rules", ["_csrf": csrf, "name": "server down", "kind": "offline", "for_seconds": "0", "cooldown_seconds": "600"])
            #expect(rule.status == .ok && rule.text.contains("The rule server down is on."), "\(rule.text)")
            #expect(rule.text.contains("data-rule=\"server down\"") && rule.text.contains("offline"))

            // Three heartbeats missed: the sweeper marks the server offline and the rule fires.
            clock.advance(by: 60)
            try await eventually("the alert on the alerts page") { try await browser.get("/alerts").text.contains("data-alert=") }
            let alerts = try await browser.get("/alerts")
            #expect(alerts.text.contains("<span class=\"status firing\">firing</span>"))
            #expect(alerts.text.contains("web-&lt;1&gt; has been offline"), "server names are escaped")
            let alertID = try #require(alerts.text.firstMatch(of: /data-alert="([^"]+)"/)).1
            let acknowledged = try await browser.post("/alerts/\(alertID)/acknowledge", ["_csrf": csrf])
            #expect(acknowledged.text.contains("Acknowledged: server down on web-&lt;1&gt;."))
            #expect(acknowledged.text.contains("acknowledged by owner@example.com"))
            #expect(!acknowledged.text.contains("action=\"/alerts/\(alertID)/acknowledge\""), "no second acknowledgement")
            let again = try await browser.post("/alerts/\(alertID)/acknowledge", ["_csrf": csrf])
            #expect(again.status == .ok && again.text.contains("Acknowledged:"), "acknowledging twice changes nothing")
            #expect(try await browser.post("/alerts/\(alertID)/acknowledge", ["_csrf": "forged"]).status == .forbidden)

            let events = try await browser.get("/events")
            #expect(events.text.contains("server.offline") && events.text.contains("stopped sending heartbeats"))

            // The rule can be turned off (its alert resolves) and deleted.
            let ruleID = try #require(Self.id(of: "server down", in: rule.text, action: "rules"))
            let off = try await browser.post("/alerts/rules/\(ruleID)/toggle", ["_csrf": csrf])
            #expect(off.text.contains("server down is off."))
            try await eventually("the alert resolved") { try await browser.get("/alerts").text.contains("Nothing is firing.") }
            #expect(try await browser.post("/alerts/rules/\(ruleID)/delete", ["_csrf": csrf]).text.contains("No rules yet"))
        }
    }

    @Test("log rules are made through their form (a pattern that backtracks is refused, saying why), turned off and deleted")
    func logRulesPage() async throws {
        try await HubTestApp.run { client in
            let browser = ConsoleTests.Browser(client)
            _ = try await browser.signIn()
            let page = try await browser.get("/alerts/log-rules")
            #expect(page.status == .ok && page.text.contains("No log rules yet"))
            let csrf = try ConsoleTests.Browser.csrf(in: page.text)
            let slow = try await browser.post(
                "/alerts/log-rules", ["_csrf": csrf, "name": "slow", "pattern": "(a+)+$", "sources[]": "job", "severity": "critical"])
            #expect(slow.status == .unprocessableContent && slow.text.contains("backtracks"), "\(slow.text)")
            #expect(slow.text.contains("value=\"(a+)+$\""), "what was typed is kept")
            let made = try await browser.post(
                "/alerts/log-rules",
                [
                    "_csrf": csrf, "name": "errors <b>", "pattern": "\\bERROR\\b", "sources[]": "container", "severity": "critical",
                    "labels": "env=prod",
                ])
            #expect(made.status == .ok && made.text.contains("The log rule errors &lt;b&gt; is on."), "\(made.text)")
            #expect(made.text.contains("<code>\\bERROR\\b</code>") && made.text.contains("env=prod"))
            let id = try #require(Self.id(of: "errors &lt;b&gt;", in: made.text, action: "log-rules"))
            #expect(try await browser.post("/alerts/log-rules/\(id)/toggle", ["_csrf": csrf]).text.contains("errors &lt;b&gt; is off."))
            #expect(try await browser.post("/alerts/log-rules/\(id)/delete", ["_csrf": csrf]).text.contains("No log rules yet"))
            #expect(try await browser.post("/alerts/log-rules/\(id)/delete", ["_csrf": csrf]).status == .notFound)
            #expect(try await browser.post("/alerts/log-rules", ["_csrf": "forged", "name": "x", "pattern": "x"]).status == .forbidden)
        }
    }

    /// The id in the first form action of the row named `name` on a page.
    static func id(of name: String, in page: String, action: String = "channels") -> String? {
        guard let row = page.range(of: "=\"\(name)\"") else { return nil }
        let rest = page[row.upperBound...]
        guard let match = rest.firstMatch(of: try! Regex("/alerts/\(action)/([0-9a-f-]+)/")) else { return nil }
        return String(match.output[1].substring ?? "")
    }
}
