import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StewardCore

/// Delivers one notification to one channel and says what happened: a signed JSON webhook, a chat
/// service's incoming-webhook message, or an e-mail through the hub's SMTP server.
struct NotificationTransport: Sendable {
    let http: HTTPClient
    let mailer: SMTPClient?
    let targets: NotificationTargetGuard
    /// Where the console lives, for links in messages; `nil` leaves them out.
    let consoleURL: String?
    static let timeout: TimeAmount = .seconds(10)

    /// Redirects are not followed: a receiver could otherwise send the hub on to an address the
    /// ``NotificationTargetGuard`` refuses. A 3xx answer is a failed attempt, with its status.
    static var httpConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout.connect = .seconds(5)
        return configuration
    }

    func send(
        _ body: Wire.Alerting.Notification, deliveryID: String, type: ChannelType, config: NotificationChannelRecord.Config, now: Date
    )
        async -> Wire.Alerting.Attempt
    {
        do {
            switch type {
            case .email:
                try await mail(body, to: config.url)
                return .init(at: now, statusCode: nil, error: nil)
            case .webhook, .slack, .discord, .teams:
                let status = try await post(body, deliveryID: deliveryID, type: type, config: config, now: now)
                let ok = (200..<300).contains(status)
                return .init(at: now, statusCode: status, error: ok ? nil : "the receiver answered HTTP \(status)")
            }
        } catch {
            return .init(at: now, statusCode: nil, error: String(String(describing: error).prefix(500)))
        }
    }

    private func post(
        _ body: Wire.Alerting.Notification, deliveryID: String, type: ChannelType, config: NotificationChannelRecord.Config, now: Date
    ) async throws -> Int {
        guard let url = URL(string: config.url), let host = url.host else {
            throw NotificationTargetGuard.Refusal(description: "bad address")
        }
        try await targets.check(host: host, port: url.port ?? (url.scheme == "https" ? 443 : 80))
        let payload: Data
        var request = HTTPClientRequest(url: config.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Steward/\(StewardVersion.current)")
        switch type {
        case .webhook:
            payload = try Wire.makeEncoder().encode(body)
            request.headers.add(name: "X-Steward-Event", value: body.event)
            request.headers.add(name: "X-Steward-Delivery", value: deliveryID)
            if let secret = config.secret {
                request.headers.add(name: "X-Steward-Signature", value: WebhookSignature.header(body: payload, secret: secret, at: now))
            }
        case .slack:
            payload = try JSONEncoder().encode(["text": text(body)])
        case .discord:
            payload = try JSONEncoder().encode(["content": String(text(body).prefix(2000))])
        case .teams:
            payload = try JSONEncoder().encode([
                "@type": "MessageCard", "@context": "https://schema.org/extensions", "summary": title(body), "title": title(body),
                "text": text(body),
            ])
        case .email:
            throw NotificationTargetGuard.Refusal(description: "e-mail is not posted")
        }
        request.body = .bytes(ByteBuffer(bytes: payload))
        let response = try await http.execute(request, timeout: Self.timeout)
        // Only the status matters; the body is read (bounded) so that the connection can be reused.
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return Int(response.status.code)
    }

    private func mail(_ body: Wire.Alerting.Notification, to list: String) async throws {
        guard let mailer else { throw SMTPClient.Failure(step: "configuration", reply: "the hub has no --smtp-url") }
        for address in Self.recipients(list) {
            try await mailer.send(.init(to: address, subject: "[Steward] " + title(body), body: text(body) + "\n"))
        }
    }

    /// `mailto:a@example.com,b@example.com` as its addresses.
    static func recipients(_ url: String) -> [String] {
        guard url.lowercased().hasPrefix("mailto:") else { return [] }
        return url.dropFirst("mailto:".count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    func title(_ body: Wire.Alerting.Notification) -> String {
        guard let alert = body.alert else { return "Test notification" }
        let state = body.event == "alert.resolved" ? "Resolved" : "Firing"
        return "\(state): \(alert.ruleName) on \(alert.serverName)"
    }

    func text(_ body: Wire.Alerting.Notification) -> String {
        guard let alert = body.alert else {
            return "This is a test notification from Steward. If you read it, the channel works."
        }
        var lines = [title(body), alert.summary]
        if let consoleURL { lines.append("\(consoleURL)/alerts") }
        return lines.joined(separator: "\n")
    }
}
