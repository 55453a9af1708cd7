/// How a notification channel delivers: a signed JSON webhook, e-mail over the hub's SMTP server,
/// or a chat service's incoming webhook.
public enum ChannelType: String, Sendable, CaseIterable {
    case webhook, email, slack, discord, teams

    /// Chat webhooks carry their credential in the address, so the API never shows more than its host.
    var addressIsSecret: Bool {
        switch self {
        case .slack, .discord, .teams: true
        case .webhook, .email: false
        }
    }
}
