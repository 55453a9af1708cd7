import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardHub

/// Sending notifications: the webhook signature, the addresses the hub will not post to, retries
/// with back-off recorded in the delivery log, and the chat services' payloads, against a real
/// HTTP receiver on loopback.
@Suite(.serialized)
struct NotificationTests {
    @Test("a signature verifies with its secret and body only, and not once it is old")
    func signature() {
        let body = Data(#"{"event":"test"}"#.utf8)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let header = WebhookSignature.header(body: body, secret: "s3cret-s3cret-s3cret", at: now)
        #expect(header.hasPrefix("t=1800000000,v1=") && header.count == "t=1800000000,v1=".count + 64)
        #expect(WebhookSignature.verify(header: header, body: body, secret: "s3cret-s3cret-s3cret", now: now.addingTimeInterval(60)))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: "another-secret-here", now: now))
        #expect(!WebhookSignature.verify(header: header, body: Data(#"{"event":"tset"}"#.utf8), secret: "s3cret-s3cret-s3cret", now: now))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: "s3cret-s3cret-s3cret", now: now.addingTimeInterval(301)))
        #expect(!WebhookSignature.verify(header: "v1=00", body: body, secret: "s3cret-s3cret-s3cret", now: now))
    }

    @Test("private, loopback, link-local and unique-local addresses are refused; public ones are not")
    func privateTargets() throws {
        for address in [
            "127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "::",
            "fd00::1", "fe80::1", "::ffff:10.0.0.1",
        ] {
            #expect(NotificationTargetGuard.isPrivate(try SocketAddress(ipAddress: address, port: 80)), "\(address)")
        }
        for address in ["8.8.8.8", "172.32.0.1", "192.169.0.1", "2001:db8::1", "::ffff:8.8.8.8"] {
            #expect(!NotificationTargetGuard.isPrivate(try SocketAddress(ipAddress: address, port: 80)), "\(address)")
        }
    }

    static func sender(_ store: Store, clock: ManualClock, http: HTTPClient) -> NotificationSender {
        let box = SecretBox(key: .init(size: .bits256))
        return NotificationSender(
            store: store, clock: clock.hubClock, box: box,
            transport: NotificationTransport(http: http, mailer: nil, targets: .init(allowPrivate: true), consoleURL: nil),
            ready: StartupGate(), logger: Logger(label: "test"))
    }

    @Test(
        "a refused delivery is retried after its back-off, each attempt logged with its status; chat types get their payloads",
        arguments: TestDatabase.available)
    func retriesAndPayloads(database: TestDatabase) async throws {
        let receiver = try FixtureServer(script: Fixtures.webhookReceiver, arguments: ["1"])
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: NotificationTransport.httpConfiguration)
        try await database.withStore { store in
            let clock = ManualClock(AlertingStoreTests.t0)
            let sender = Self.sender(store, clock: clock, http: http)
            var channels: [ChannelType: NotificationChannelRecord] = [:]
            for type in [ChannelType.webhook, .slack, .discord, .teams] {
                let config = NotificationChannelRecord.Config(
                    url: "http://127.0.0.1:\(receiver.port)/\(type.rawValue)", secret: type == .webhook ? "0123456789abcdef" : nil)
                let channel = NotificationChannelRecord(
                    id: "channel-\(type.rawValue)", tenantID: Store.defaultTenant, name: type.rawValue, type: type, urlShown: config.url,
                    sealedConfig: try sender.box.seal(encoding: config), hasSecret: config.secret != nil, createdAt: clock.now)
                #expect(try await store.createChannel(channel, audit: StoreTests.audit("notification_channel.create")))
                channels[type] = channel
            }
            let server = try await AlertingStoreTests.server(store)
            var alert = AlertRecord(
                id: "alert-1", tenantID: Store.defaultTenant, ruleID: "rule-1", ruleName: "disk full", kind: .metric, serverID: server.id,
                serverName: "web-1", subject: "disk.used_percent{mount=/}", state: .firing, value: 97,
                summary: "disk.used_percent{mount=/} is 97 on web-1 (> 90)",
                startedAt: clock.now)
            alert.firedAt = clock.now
            let webhook = AlertEvaluation.deliveries(for: alert, event: "alert.firing", to: ["channel-webhook"], now: clock.now)[0]
            try await store.recordDelivery(webhook)

            // The receiver refuses the first request: the delivery waits ten seconds and succeeds.
            #expect(try await sender.round() == 1)
            var log = try await store.deliveries(channelID: "channel-webhook", tenantID: Store.defaultTenant, limit: 5)
            #expect(log.first?.state == .pending && log.first?.attempts.map(\.statusCode) == [500])
            #expect(log.first?.nextAttemptAt == clock.now.addingTimeInterval(10))
            #expect(try await sender.round() == 0, "not due yet")
            clock.advance(by: 10)
            #expect(try await sender.round() == 1)
            log = try await store.deliveries(channelID: "channel-webhook", tenantID: Store.defaultTenant, limit: 5)
            #expect(log.first?.state == .delivered && log.first?.attempts.map(\.statusCode) == [500, 200])

            for type in [ChannelType.slack, .discord, .teams] {
                try await store.recordDelivery(
                    AlertEvaluation.deliveries(for: alert, event: "alert.firing", to: [channels[type]!.id], now: clock.now)[0])
            }
            #expect(try await sender.round() == 3)
            for type in [ChannelType.slack, .discord, .teams] {
                let sent = try await store.deliveries(channelID: channels[type]!.id, tenantID: Store.defaultTenant, limit: 5)
                #expect(sent.map(\.state) == [.delivered], "\(type): \(sent.map(\.attempts))")
            }
            let hooks = try ReceivedWebhook.all(in: receiver)
            #expect(hooks.count == 5)
            let byPath = Dictionary(hooks.map { ($0.path, $0) }, uniquingKeysWith: { _, last in last })
            let signed = try #require(byPath["/webhook"])
            #expect(signed.headers["x-steward-event"] == "alert.firing" && signed.headers["x-steward-delivery"] == webhook.id)
            #expect(
                WebhookSignature.verify(
                    header: signed.headers["x-steward-signature"] ?? "", body: Data(signed.body.utf8), secret: "0123456789abcdef",
                    now: clock.now))
            let body = try Wire.makeDecoder().decode(Wire.Alerting.Notification.self, from: Data(signed.body.utf8))
            #expect(
                body.alert?.ruleID == "rule-1" && body.alert?.serverID == server.id && body.alert?.state == "firing"
                    && body.alert?.value == 97)
            func json(_ path: String) throws -> [String: String] {
                try JSONDecoder().decode([String: String].self, from: Data(try #require(byPath[path]).body.utf8))
            }
            #expect(try json("/slack")["text"]?.hasPrefix("Firing: disk full on web-1\n") == true)
            #expect(try json("/discord")["content"]?.contains("is 97 on web-1") == true)
            #expect(try json("/teams")["@type"] == "MessageCard" && (try json("/teams")["title"]) == "Firing: disk full on web-1")
            #expect(byPath["/slack"]?.headers["x-steward-signature"] == nil, "chat services get no signature")

            // A redirect is not followed (it could lead past the private-address guard): it is a failed attempt.
            let config = NotificationChannelRecord.Config(url: "http://127.0.0.1:\(receiver.port)/redirect", secret: "0123456789abcdef")
            let attempt = await sender.transport.send(
                .init(event: "test", alert: nil, at: clock.now), deliveryID: "d-1", type: .webhook, config: config, now: clock.now)
            #expect(attempt.statusCode == 302 && attempt.error == "the receiver answered HTTP 302")
        }
        try await http.shutdown()
    }
}
