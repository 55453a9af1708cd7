import Foundation

/// Which hub URLs an agent may talk to. Jobs are signed, but the agent's secret, its logs and its
/// results travel in the request: plain `http://` is refused unless the hub is on this machine's
/// loopback or the operator said `--insecure-http`.
public enum HubAddress {
    /// Why `url` cannot be used, or `nil` when it can.
    public static func problem(with url: String, allowInsecureHTTP: Bool) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else { return "\(url) is not an http:// or https:// URL" }
        guard let host = components.host, !host.isEmpty else { return "\(url) names no host" }
        guard components.query == nil, components.fragment == nil, components.user == nil, components.password == nil else {
            return "\(url) must be a plain URL (no user, query or fragment)"
        }
        if scheme == "http", !allowInsecureHTTP, !isLoopback(host: host) {
            return
                "\(url) is plain http: the agent's secret and its jobs' results would cross the network unencrypted; use https, or give --insecure-http on a network you trust"
        }
        return nil
    }

    /// Whether plain http to `url` needs `--insecure-http` (http, and a host off loopback).
    public static func needsInsecureFlag(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "http" else { return false }
        return !isLoopback(host: components.host ?? "")
    }

    /// `localhost`, `127.0.0.0/8` and `::1`.
    public static func isLoopback(host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
