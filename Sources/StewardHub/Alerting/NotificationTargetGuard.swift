import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Keeps notifications from reaching the hub's own network: a tenant's admin could otherwise point
/// a webhook at the database or a cloud metadata address (server-side request forgery). Every
/// address the host resolves to must be public, unless the hub allows private targets
/// (`--allow-private-notification-targets`, for a receiver on the LAN and for tests on loopback).
///
/// The check resolves the name itself before the request does; a name that resolves differently a
/// moment later (DNS rebinding) is not caught. docs/OPERATIONS.md says so.
struct NotificationTargetGuard: Sendable {
    let allowPrivate: Bool

    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    func check(host: String, port: Int) async throws {
        guard !allowPrivate else { return }
        let addresses = try await Self.resolve(host: host, port: port)
        guard !addresses.isEmpty else { throw Refusal(description: "\(host) does not resolve") }
        if let blocked = addresses.first(where: Self.isPrivate) {
            throw Refusal(
                description:
                    "\(host) resolves to \(blocked.ipAddress ?? "a private address"), which is not a public address; the hub refuses private notification targets unless started with --allow-private-notification-targets"
            )
        }
    }

    static func resolve(host: String, port: Int) async throws -> [SocketAddress] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    continuation.resume(returning: try Self.lookup(host: host, port: port))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    private static func lookup(host: String, port: Int) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw Refusal(description: "\(host) does not resolve")
        }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let info = next {
            if let address = info.pointee.ai_addr {
                switch Int32(info.pointee.ai_family) {
                case AF_INET:
                    addresses.append(address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee, host: host) })
                case AF_INET6:
                    addresses.append(
                        address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee, host: host) })
                default: break
                }
            }
            next = info.pointee.ai_next
        }
        return addresses
    }

    /// Loopback, private, link-local, carrier-grade NAT, unspecified and unique-local addresses.
    static func isPrivate(_ address: SocketAddress) -> Bool {
        guard let text = address.ipAddress else { return true }
        var bytes = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &bytes) == 1 { return isPrivateV4(Array(bytes[0..<4])) }
        guard inet_pton(AF_INET6, text, &bytes) == 1 else { return true }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] <= 1 { return true }  // :: and ::1
        if bytes[0] & 0xFE == 0xFC { return true }  // fc00::/7
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return true }  // fe80::/10
        // IPv4-mapped (::ffff:a.b.c.d): judged as the IPv4 address.
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return isPrivateV4(Array(bytes[12..<16])) }
        return false
    }

    private static func isPrivateV4(_ octets: [UInt8]) -> Bool {
        let value = octets.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let blocks: [(base: UInt32, bits: UInt32)] = [
            (0x0000_0000, 8), (0x0A00_0000, 8), (0x6440_0000, 10), (0x7F00_0000, 8), (0xA9FE_0000, 16), (0xAC10_0000, 12),
            (0xC0A8_0000, 16),
        ]
        return blocks.contains { value >> (32 - $0.bits) == $0.base >> (32 - $0.bits) }
    }
}
