import StewardCore
import Testing

struct SecretTokenTests {
    @Test("generated secrets carry their kind's prefix, 256 bits of randomness, and never repeat")
    func generation() {
        let tokens = (0..<200).map { _ in SecretToken.generate(.registrationToken) }
        #expect(Set(tokens).count == tokens.count)
        for token in tokens {
            #expect(token.hasPrefix("stw_reg_"))
            // 32 bytes in unpadded base64url are 43 characters.
            #expect(token.count == "stw_reg_".count + 43)
            #expect(token.dropFirst(8).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        }
        #expect(SecretToken.generate(.apiToken).hasPrefix("stw_api_"))
        #expect(SecretToken.generate(.agentSecret).hasPrefix("stw_agt_"))
    }

    @Test("a digest's lookup key is the start of its SHA-256 and only the right secret matches")
    func digest() {
        let digest = SecretToken.Digest(of: "stw_api_example")
        // SHA-256("stw_api_example"), computed independently with sha256sum.
        #expect(digest.hash == "a3fbafc789efb2d62ad884cda9ab5ba73bdc4a7a60ec4c028a1631bcb1201183")
        #expect(digest.lookupKey == String(digest.hash.prefix(16)))
        #expect(SecretToken.Digest.matches("stw_api_example", storedHash: digest.hash))
        #expect(!SecretToken.Digest.matches("stw_api_exampl", storedHash: digest.hash))
        #expect(!SecretToken.Digest.matches("", storedHash: digest.hash))
    }

    @Test("constant-time comparison agrees with ==, including different lengths and empty strings")
    func constantTime() {
        let cases: [(String, String)] = [
            ("", ""), ("a", ""), ("", "a"), ("abc", "abc"), ("abc", "abd"), ("abc", "abcd"), ("é", "e"), ("token", "tokem"),
        ]
        for (lhs, rhs) in cases {
            #expect(ConstantTime.equals(lhs, rhs) == (lhs == rhs), "\(lhs) vs \(rhs)")
        }
    }
}
