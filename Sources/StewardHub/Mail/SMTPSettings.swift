import Foundation

/// Where and how the hub sends e-mail, from `--smtp-url smtp://user:password@host:port?from=…`.
///
/// The connection is upgraded with STARTTLS before anything else is said, and the hub refuses to go
/// on if the server does not offer it; only a server on loopback may be told `?starttls=off`.
/// `?ca_file=/path.pem` trusts a private CA besides the system's.
public struct SMTPSettings: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    /// The sender's address; `steward@<host of the SMTP server>` unless `?from=` says otherwise.
    public var from: String
    public var startTLS: Bool
    public var caFile: String?

    public init(url: String) throws(ConfigurationError) {
        guard let components = URLComponents(string: url), components.scheme == "smtp", let host = components.host, !host.isEmpty
        else {
            throw ConfigurationError("--smtp-url must look like smtp://user:password@host:587 (STARTTLS is always used)")
        }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { _, last in last }
        for name in query.keys where !["from", "ca_file", "starttls"].contains(name) {
            throw ConfigurationError("--smtp-url: unknown setting \(name) (known: from, ca_file, starttls)")
        }
        self.host = host
        self.port = components.port ?? 587
        guard (1...65535).contains(port) else { throw ConfigurationError("--smtp-url: the port must be between 1 and 65535") }
        username = components.user?.removingPercentEncoding
        password = components.password?.removingPercentEncoding
        from = query["from"] ?? "steward@\(host)"
        guard Self.isPlainAddress(from) else { throw ConfigurationError("--smtp-url: from=\(from) is not an e-mail address") }
        caFile = query["ca_file"]
        switch query["starttls"] {
        case nil, "on", "required": startTLS = true
        case "off":
            guard ["127.0.0.1", "::1", "localhost"].contains(host) else {
                throw ConfigurationError(
                    "--smtp-url: starttls=off is allowed only for a server on loopback; passwords would travel in clear")
            }
            startTLS = false
        default: throw ConfigurationError("--smtp-url: starttls must be on or off")
        }
    }

    /// The URL with the password hidden, for logs.
    public var description: String {
        "smtp://" + (username.map { "\($0):****@" } ?? "") + "\(host):\(port)"
    }

    /// An address that can stand in a header and an SMTP command as it is: no spaces, brackets,
    /// quotes or line breaks, one `@` with text on both sides.
    static func isPlainAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && address.utf8.count <= 254
            && address.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7f && !"<>()[]\\,;:\"".unicodeScalars.contains($0) }
    }
}
