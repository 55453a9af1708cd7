import Foundation
import StewardCore
import Testing

@Suite struct EnrollmentTests {
    @Test("a fingerprint is SHA256: and the unpadded base64 of the key's SHA-256, as OpenSSH writes them")
    func fingerprint() {
        // The SHA-256 of 32 zero bytes is 66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925.
        let zeros = HubKeyFingerprint.of(publicKey: Data(count: 32))
        #expect(zeros == "SHA256:Zmh6rfhivXdsj8GLjp+OIAiXFIVu4jOzkCpZHQ1fKSU")
        #expect(HubKeyFingerprint.isWellFormed(zeros))
        #expect(HubKeyFingerprint.of(publicKeyBase64: Data(count: 32).base64EncodedString()) == zeros)
        #expect(HubKeyFingerprint.of(publicKeyBase64: "not base64!") == nil)
        for bad in [
            "", "SHA256:", "sha256:Zmh6rfhivXdsj8GLjp+OIAiXFIVu4jOzkCpZHQ1fKSU", String(zeros.dropLast()), zeros + "=", zeros + "A",
            "SHA256:Zmh6rfhivXdsj8GLjp-OIAiXFIVu4jOzkCpZHQ1fKSU", "SHA256:Zmh6rfhivXdsj8GLjp OIAiXFIVu4jOzkCpZHQ1fKSU",
        ] {
            #expect(!HubKeyFingerprint.isWellFormed(bad), "\(bad)")
        }
    }

    @Test("plain http is refused off loopback unless asked for; https and loopback always pass")
    func addresses() {
        for url in [
            "https://hub.example.com", "https://10.0.0.5:8443", "http://127.0.0.1:8080", "http://127.1.2.3", "http://localhost:80",
            "http://[::1]:8080",
        ] {
            #expect(HubAddress.problem(with: url, allowInsecureHTTP: false) == nil, "\(url)")
            #expect(!HubAddress.needsInsecureFlag(url), "\(url)")
        }
        for url in ["http://hub.example.com", "http://10.0.0.5:8080", "http://127.example.com", "http://[::2]:80", "http://localhost.evil"]
        {
            #expect(HubAddress.problem(with: url, allowInsecureHTTP: false)?.contains("--insecure-http") == true, "\(url)")
            #expect(HubAddress.problem(with: url, allowInsecureHTTP: true) == nil, "\(url)")
            #expect(HubAddress.needsInsecureFlag(url), "\(url)")
        }
        for url in ["ftp://hub.example.com", "hub.example.com", "https://", "https://user:pw@hub.example.com", "https://hub?x=1"] {
            #expect(HubAddress.problem(with: url, allowInsecureHTTP: true) != nil, "\(url)")
        }
    }

    @Test("the printed commands pin the key, and name --insecure-http only where it is needed")
    func commands() {
        let key = HubKeyFingerprint.of(publicKey: Data(count: 32))
        let secure = EnrollmentCommands(hubURL: "https://hub.example.com", token: "stw_reg_x", hubKey: key)
        #expect(secure.installer == "curl -fsSL https://hub.example.com/install.sh | STEWARD_TOKEN=stw_reg_x sh -s -- --hub-key \(key)")
        #expect(secure.agent == "steward agent --hub https://hub.example.com --token stw_reg_x --hub-key \(key)")
        let plain = EnrollmentCommands(hubURL: "http://10.0.0.5:8080", token: "stw_reg_x", hubKey: key)
        #expect(plain.installer.hasSuffix("--hub-key \(key) --insecure-http"))
        #expect(plain.agent.hasSuffix("--hub-key \(key) --insecure-http"))
    }
}
