import Foundation
import HTTPTypes
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// The alerting routes: channels keep their secrets, rules are validated field by field, alerts are
/// listed and acknowledged, and roles and tenants are kept apart.
struct AlertingAPITests {
    @Test(
        "channels: 201 without the secret, chat addresses shown by host only, bad ones 422 with the field",
        arguments: TestDatabase.available)
    func channels(database: TestDatabase) async throws {
        try await HubTestApp.run(database: database) { client in
            let created = try await client.send(
                .post, "/api/v1/notification-channels",
                json:
                    #"{"name": "ops", "type": "webhook", "url": "https://hooks.example.com/steward?key=abc", "secret": "0123456789abcdef-secret"}"#
            )
            #expect(created.status == .created, "\(created.text)")
            #expect(!created.text.contains("0123456789abcdef-secret"), "the secret is never echoed")
            let channel = try created.decode(Wire.Alerting.Channel.self)
            #expect(channel.hasSecret && channel.url == "https://hooks.example.com/steward", "the query may hold a token: \(channel.url)")
            let slack = try await client.send(
                .post, "/api/v1/notification-channels",
                json: #"{"name": "chat", "type": "slack", "url": "https://hooks.slack.com/services/T0/B0/XYZ"}"#)
            #expect(slack.status == .created, "\(slack.text)")
            #expect(try slack.decode(Wire.Alerting.Channel.self).url == "https://hooks.slack.com/…")
            let listed = try await client.send(.get, "/api/v1/notification-channels")
            #expect(!listed.text.contains("XYZ") && !listed.text.contains("\"secret\""), "\(listed.text)")
            #expect(try listed.decode(Wire.ItemList<Wire.Alerting.Channel>.self).items.map(\.name) == ["chat", "ops"])

            for (json, field) in [
                (#"{"name": "a", "type": "pager", "url": "https://x.example"}"#, "type"),
                (#"{"name": "a", "type": "webhook", "url": "ftp://x.example", "secret": "0123456789abcdef"}"#, "url"),
                (#"{"name": "a", "type": "webhook", "url": "https://x.example"}"#, "secret"),
                (#"{"name": "a", "type": "webhook", "url": "https://x.example", "secret": "short"}"#, "secret"),
                (#"{"name": "a", "type": "webhook", "url": "https://user:pw@x.example", "secret": "0123456789abcdef"}"#, "url"),
                (#"{"name": "a", "type": "email", "url": "mailto:ops@example.com"}"#, "url"),
                (#"{"name": "a", "type": "slack", "url": "https://hooks.slack.com/x", "secret": "0123456789abcdef"}"#, "secret"),
                (#"{"name": "", "type": "slack", "url": "https://hooks.slack.com/x"}"#, "name"),
            ] {
                let answer = try await client.send(.post, "/api/v1/notification-channels", json: json)
                #expect(answer.status == .unprocessableContent, "\(json): \(answer.text)")
                #expect(answer.problem?.errors?.map(\.field).contains(field) == true, "\(json): \(answer.text)")
            }
            #expect(
                try await client.send(
                    .post, "/api/v1/notification-channels", json: #"{"name": "ops", "type": "slack", "url": "https://hooks.slack.com/x"}"#
                ).status == .conflict)

            // The hub refuses to post to its own network unless told it may (this test hub is not told).
            let local = try await client.send(
                .post, "/api/v1/notification-channels",
                json: #"{"name": "local", "type": "webhook", "url": "http://127.0.0.1:9/hook", "secret": "0123456789abcdef"}"#)
            let localID = try local.decode(Wire.Alerting.Channel.self).id
            let refused = try await client.send(.post, "/api/v1/notification-channels/\(localID)/test").decode(Wire.Alerting.Delivery.self)
            #expect(refused.state == "failed")
            #expect(refused.attempts.first?.error?.contains("not a public address") == true, "\(refused.attempts)")
            let log = try await client.send(.get, "/api/v1/notification-channels/\(localID)/deliveries")
            #expect(try log.decode(Wire.ItemList<Wire.Alerting.Delivery>.self).items.map(\.event) == ["test"])

            #expect(try await client.send(.delete, "/api/v1/notification-channels/\(localID)").status == .noContent)
            #expect(try await client.send(.delete, "/api/v1/notification-channels/\(localID)").status == .notFound)
        }
    }

    @Test(
        "rules: 201 with the rule, each wrong field named, PATCH and DELETE; viewers read, operators acknowledge, other tenants see nothing",
        arguments: TestDatabase.available)
    func rules(database: TestDatabase) async throws {
        try await HubTestApp.run(database: database) { client in
            let channel = try await client.send(
                .post, "/api/v1/notification-channels",
                json: #"{"name": "chat", "type": "discord", "url": "https://discord.example/api/webhooks/1/x"}"#
            ).decode(Wire.Alerting.Channel.self)
            let rule = Wire.Alerting.RuleRequest(
                name: "disk full", kind: "metric", metric: "disk.used_percent", operator: ">", threshold: 90, forSeconds: 300,
                cooldownSeconds: 3600, selector: .init(labels: ["env": "prod"]), channelIDs: [channel.id])
            let created = try await client.send(.post, "/api/v1/alert-rules", body: rule)
            #expect(created.status == .created, "\(created.text)")
            let stored = try created.decode(Wire.Alerting.Rule.self)
            #expect(stored.metric == "disk.used_percent" && stored.operator == ">" && stored.threshold == 90 && stored.forSeconds == 300)
            #expect(stored.selector.labels == ["env": "prod"] && stored.channelIDs == [channel.id] && stored.enabled)
            let offline = try await client.send(
                .post, "/api/v1/alert-rules", json: #"{"name": "down", "kind": "offline", "for_seconds": 60, "cooldown_seconds": 600}"#)
            #expect(offline.status == .created, "\(offline.text)")

            for (json, field) in [
                (#"{"name": "x", "kind": "weather"}"#, "kind"),
                (#"{"name": "x", "kind": "container", "statuses": ["sleeping"]}"#, "statuses"),
                (#"{"name": "x", "kind": "container", "threshold": 1}"#, "threshold"),
                (#"{"name": "x", "kind": "metric", "operator": ">", "threshold": 1}"#, "metric"),
                (#"{"name": "x", "kind": "metric", "metric": "Disk Used", "operator": ">", "threshold": 1}"#, "metric"),
                (#"{"name": "x", "kind": "metric", "metric": "load.1", "operator": "~", "threshold": 1}"#, "operator"),
                (#"{"name": "x", "kind": "metric", "metric": "load.1", "operator": ">"}"#, "threshold"),
                (#"{"name": "x", "kind": "offline", "threshold": 3}"#, "threshold"),
                (#"{"name": "x", "kind": "offline", "for_seconds": -1}"#, "for_seconds"),
                (#"{"name": "x", "kind": "offline", "cooldown_seconds": 99999999}"#, "cooldown_seconds"),
                (#"{"name": "x", "kind": "offline", "channel_ids": ["nope"]}"#, "channel_ids"),
                (#"{"name": "x", "kind": "job", "statuses": ["succeeded"]}"#, "statuses"),
                (#"{"name": "x", "kind": "offline", "statuses": ["dead"]}"#, "statuses"),
            ] {
                let answer = try await client.send(.post, "/api/v1/alert-rules", json: json)
                #expect(answer.status == .unprocessableContent, "\(json): \(answer.text)")
                #expect(answer.problem?.errors?.map(\.field).contains(field) == true, "\(json): \(answer.text)")
            }
            #expect(try await client.send(.post, "/api/v1/alert-rules", body: rule).status == .conflict)

            let patched = try await client.send(
                .patch, "/api/v1/alert-rules/\(stored.id)", json: #"{"threshold": 95, "enabled": false, "channel_ids": []}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            let after = try patched.decode(Wire.Alerting.Rule.self)
            #expect(after.threshold == 95 && !after.enabled && after.channelIDs.isEmpty && after.kind == "metric")
            #expect(
                try await client.send(.patch, "/api/v1/alert-rules/\(stored.id)", json: #"{"operator": "!="}"#).status
                    == .unprocessableContent)

            let viewer = try await AccountAPITests.member(client, "viewer@example.com", role: .viewer)
            #expect(try await client.send(.get, "/api/v1/alert-rules", bearer: viewer).status == .ok)
            #expect(try await client.send(.post, "/api/v1/alert-rules", body: rule, bearer: viewer).status == .forbidden)
            #expect(try await client.send(.get, "/api/v1/notification-channels", bearer: viewer).status == .forbidden)
            let operatorToken = try await AccountAPITests.member(client, "operator@example.com", role: .operator)
            #expect(try await client.send(.post, "/api/v1/alerts/nope/acknowledge", bearer: operatorToken).status == .notFound)
            let missingAlert = try await client.send(.get, "/api/v1/alerts/nope", bearer: operatorToken)
            #expect(missingAlert.status == .notFound && missingAlert.problem?.code == "not_found", "\(missingAlert.text)")
            let missingChannel = try await client.send(.get, "/api/v1/notification-channels/nope/deliveries")
            #expect(missingChannel.status == .notFound && missingChannel.problem?.code == "not_found", "\(missingChannel.text)")
            #expect(try await client.send(.post, "/api/v1/alerts/nope/acknowledge", bearer: viewer).status == .forbidden)
            #expect(try await client.send(.get, "/api/v1/alerts?state=firing").status == .ok)
            #expect(try await client.send(.get, "/api/v1/alerts?state=burning").status == .badRequest)
            #expect(try await client.send(.get, "/api/v1/fleet-events?limit=0").status == .badRequest)
            #expect(try await client.send(.get, "/api/v1/fleet-events").status == .ok)

            #expect(try await client.send(.post, "/api/v1/tenants", json: #"{"name": "Acme", "slug": "acme"}"#).status == .created)
            let outsider = try await AccountAPITests.member(client, "out@example.com", role: .owner, tenantHeader: "acme")
            #expect(try await client.send(.get, "/api/v1/alert-rules/\(stored.id)", bearer: outsider).status == .notFound)
            #expect(try await client.send(.delete, "/api/v1/alert-rules/\(stored.id)", bearer: outsider).status == .notFound)
            #expect(
                try await client.send(.get, "/api/v1/alert-rules", bearer: outsider).decode(Wire.ItemList<Wire.Alerting.Rule>.self).items
                    .isEmpty)

            #expect(try await client.send(.delete, "/api/v1/alert-rules/\(stored.id)").status == .noContent)
            #expect(try await client.send(.get, "/api/v1/alert-rules/\(stored.id)").status == .notFound)
        }
    }
}
