import Foundation
import HTTPTypes
import StewardCore

/// Notification channels of a tenant: validated, sealed and tested here, for the API and the console.
struct ChannelService: Sendable {
    let store: Store
    let clock: HubClock
    let box: SecretBox
    let transport: NotificationTransport
    static let maxURLLength = 2048

    func create(_ request: Wire.Alerting.ChannelRequest, by requester: Requester) async throws -> NotificationChannelRecord {
        var problems: [Wire.FieldError] = []
        let name = request.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty || name.count > 100 || name.contains(where: \.isNewline) {
            problems.append(.init(field: "name", message: "must be one line of 1 to 100 characters"))
        }
        let type = ChannelType(rawValue: request.type)
        if type == nil {
            problems.append(.init(field: "type", message: "must be one of \(ChannelType.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        let url = request.url.trimmingCharacters(in: .whitespaces)
        var shown = url
        if let type {
            if let problem = Self.addressProblem(url, type: type, mailer: transport.mailer != nil) {
                problems.append(.init(field: "url", message: problem))
            } else {
                shown = Self.shownAddress(url, type: type)
            }
            switch (type, request.secret) {
            case (.webhook, nil):
                problems.append(.init(field: "secret", message: "a webhook needs a secret of 16 to 256 characters to sign its bodies"))
            case (.webhook, let secret?) where !(16...256).contains(secret.utf8.count):
                problems.append(.init(field: "secret", message: "must be 16 to 256 characters"))
            case (.email, _?), (.slack, _?), (.discord, _?), (.teams, _?):
                problems.append(.init(field: "secret", message: "only webhooks are signed; leave it out for \(type.rawValue)"))
            default: break
            }
        }
        guard problems.isEmpty, let type else { throw APIError.invalid(problems) }
        let now = clock.now
        let channel = NotificationChannelRecord(
            id: UUID().uuidString.lowercased(), tenantID: requester.identity.tenantID, name: name, type: type, urlShown: shown,
            sealedConfig: try box.seal(encoding: NotificationChannelRecord.Config(url: url, secret: request.secret)),
            hasSecret: request.secret != nil, createdAt: now)
        guard
            try await store.createChannel(
                channel,
                audit: requester.audit(
                    "notification_channel.create", target: "notification_channel:\(channel.id)",
                    detail: ["name": name, "type": type.rawValue]))
        else { throw APIError(.conflict, code: "name_taken", detail: "a channel named \(name) exists already") }
        return channel
    }

    func list(tenantID: String) async throws -> [NotificationChannelRecord] {
        try await store.channels(tenantID: tenantID)
    }

    func delete(id: String, by requester: Requester) async throws {
        guard
            try await store.deleteChannel(
                id: id, tenantID: requester.identity.tenantID, at: clock.now,
                audit: requester.audit("notification_channel.delete", target: "notification_channel:\(id)"))
        else { throw APIError.notFound("notification channel", id: id) }
    }

    /// Sends a `test` notification now and records it as a delivery with its one attempt.
    func test(id: String, by requester: Requester) async throws -> DeliveryRecord {
        guard let channel = try await store.channel(id: id, tenantID: requester.identity.tenantID) else {
            throw APIError.notFound("notification channel", id: id)
        }
        let now = clock.now
        var delivery = DeliveryRecord(
            id: UUID().uuidString.lowercased(), tenantID: channel.tenantID, channelID: channel.id, alertID: nil, event: "test",
            body: .init(event: "test", alert: nil, at: now), createdAt: now)
        let config = try box.open(channel.sealedConfig, as: NotificationChannelRecord.Config.self)
        let attempt = await transport.send(delivery.body, deliveryID: delivery.id, type: channel.type, config: config, now: now)
        delivery.attempts = [attempt]
        delivery.state = attempt.error == nil ? .delivered : .failed
        delivery.nextAttemptAt = nil
        try await store.recordDelivery(delivery)
        return delivery
    }

    func deliveries(channelID: String, tenantID: String) async throws -> [DeliveryRecord] {
        guard try await store.channel(id: channelID, tenantID: tenantID) != nil else {
            throw APIError.notFound("notification channel", id: channelID)
        }
        return try await store.deliveries(channelID: channelID, tenantID: tenantID, limit: 100)
    }

    /// Why `url` cannot be a `type` channel's address; `nil` when it can.
    static func addressProblem(_ url: String, type: ChannelType, mailer: Bool) -> String? {
        guard !url.isEmpty, url.utf8.count <= maxURLLength, !url.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            return "must be one address of at most \(maxURLLength) characters"
        }
        if type == .email {
            let recipients = NotificationTransport.recipients(url)
            guard !recipients.isEmpty, recipients.count <= 10, recipients.allSatisfy(SMTPSettings.isPlainAddress) else {
                return "must be mailto: with 1 to 10 e-mail addresses, comma-separated"
            }
            return mailer ? nil : "the hub sends no e-mail: start it with --smtp-url"
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            ["http", "https"].contains(scheme),
            let host = components.host, !host.isEmpty
        else { return "must be an http:// or https:// address" }
        if components.user != nil || components.password != nil { return "must not carry a user name or password" }
        return nil
    }

    /// What the API shows of an address: chat webhooks' addresses are credentials, so only their host.
    static func shownAddress(_ url: String, type: ChannelType) -> String {
        guard type != .email, var components = URLComponents(string: url) else { return url }
        components.query = nil
        components.fragment = nil
        if type.addressIsSecret { components.path = "" }
        return (components.string ?? url) + (type.addressIsSecret ? "/…" : "")
    }
}
