import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The reverse proxies whose `X-Forwarded-For` the hub believes (`--trusted-proxy CIDR`). Behind a
/// proxy every request comes from the proxy's address; without this, rate limits would put every
/// user in one bucket and the audit log would name the proxy. From any other peer the header is
/// ignored, since anyone can send it.
public struct TrustedProxies: Sendable {
    /// An IPv4 or IPv6 network such as `10.0.0.0/8` or `fd00::/8`; a bare address is a /32 or /128.
    public struct Network: Sendable, Equatable {
        let address: [UInt8]
        let prefixLength: Int

        public init?(_ text: String) {
            let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let first = parts.first, let address = Self.bytes(of: first) else { return nil }
            let maximum = address.count * 8
            guard let prefix = parts.count == 2 ? Int(parts[1]) : maximum, (0...maximum).contains(prefix) else { return nil }
            self.address = address
            self.prefixLength = prefix
        }

        public func contains(_ text: String) -> Bool {
            guard let other = Self.bytes(of: text), other.count == address.count else { return false }
            var remaining = prefixLength
            for (mine, theirs) in zip(address, other) where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if mine & mask != theirs & mask { return false }
                remaining -= bits
            }
            return true
        }

        /// The address's bytes: 4 for IPv4, 16 for IPv6 (an IPv4-mapped IPv6 address counts as IPv4).
        static func bytes(of text: String) -> [UInt8]? {
            var v4 = in_addr()
            if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
            var v6 = in6_addr()
            guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            if bytes.prefix(10).allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes.suffix(4)) }
            return bytes
        }
    }

    public let networks: [Network]

    public init(_ networks: [Network] = []) {
        self.networks = networks
    }

    func isTrusted(_ address: String) -> Bool {
        networks.contains { $0.contains(address) }
    }

    /// The client's address: `peer` itself, unless `peer` is a trusted proxy; then the nearest address
    /// in `X-Forwarded-For` (read right to left) that is not a trusted proxy. A malformed entry ends
    /// the walk at the last address that was believed.
    public func clientAddress(peer: String, forwardedFor headers: [String]) -> String {
        guard isTrusted(peer) else { return peer }
        let hops = headers.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peer
        for hop in hops.suffix(32).reversed() {
            guard Network.bytes(of: hop) != nil else { break }
            client = hop
            if !isTrusted(hop) { break }
        }
        return client
    }
}
