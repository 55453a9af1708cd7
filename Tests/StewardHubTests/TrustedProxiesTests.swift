import StewardHub
import Testing

/// Which address the hub believes is the client's when a reverse proxy forwards the request.
struct TrustedProxiesTests {
    static let proxies = TrustedProxies(["10.0.0.0/8", "fd00::/8", "192.0.2.7"].compactMap(TrustedProxies.Network.init))

    @Test("networks parse as IPv4 and IPv6 CIDRs or bare addresses, and nothing else")
    func parsing() {
        for good in ["10.0.0.0/8", "192.0.2.7", "0.0.0.0/0", "fd00::/8", "::1", "2001:db8::/32"] {
            #expect(TrustedProxies.Network(good) != nil, "\(good)")
        }
        for bad in ["10.0.0.0/33", "fd00::/129", "10.0.0/8", "proxy.example", "", "10.0.0.0/-1", "10.0.0.0/x"] {
            #expect(TrustedProxies.Network(bad) == nil, "\(bad)")
        }
        #expect(TrustedProxies.Network("10.0.0.0/8")?.contains("10.200.3.4") == true)
        #expect(TrustedProxies.Network("10.0.0.0/8")?.contains("11.0.0.1") == false)
        #expect(TrustedProxies.Network("10.0.0.0/8")?.contains("::ffff:10.1.2.3") == true, "an IPv4-mapped address is the IPv4 one")
        #expect(TrustedProxies.Network("fd00::/8")?.contains("fd12::1") == true)
        #expect(TrustedProxies.Network("fd00::/8")?.contains("10.0.0.1") == false)
    }

    @Test("X-Forwarded-For is believed only from a trusted proxy, read from the right, up to the first untrusted hop")
    func clientAddress() {
        let proxies = Self.proxies
        // From an untrusted peer the header is anyone's invention.
        #expect(proxies.clientAddress(peer: "203.0.113.9", forwardedFor: ["198.51.100.1"]) == "203.0.113.9")
        #expect(proxies.clientAddress(peer: "10.1.1.1", forwardedFor: ["198.51.100.1"]) == "198.51.100.1")
        // A client that sends its own header cannot choose its address: the proxy appends the real one.
        #expect(proxies.clientAddress(peer: "10.1.1.1", forwardedFor: ["1.2.3.4, 198.51.100.1"]) == "198.51.100.1")
        #expect(proxies.clientAddress(peer: "10.1.1.1", forwardedFor: ["1.2.3.4", "198.51.100.1, 10.9.9.9"]) == "198.51.100.1")
        #expect(proxies.clientAddress(peer: "fd00::5", forwardedFor: ["2001:db8::42"]) == "2001:db8::42")
        // Garbage stops the walk at the last address believed.
        #expect(proxies.clientAddress(peer: "10.1.1.1", forwardedFor: ["not-an-address"]) == "10.1.1.1")
        #expect(proxies.clientAddress(peer: "10.1.1.1", forwardedFor: []) == "10.1.1.1")
        #expect(TrustedProxies().clientAddress(peer: "10.1.1.1", forwardedFor: ["198.51.100.1"]) == "10.1.1.1")
    }
}
