import Crypto
import Foundation

/// High-entropy bearer secrets (API tokens, registration tokens, agent secrets) and how they are stored.
///
/// A secret is 32 random bytes from the system's cryptographic generator, base64url-encoded behind a
/// prefix that says what it is for. The hub stores only ``Digest``: a short lookup key to find the
/// record and the full SHA-256 to check it, compared in constant time. A fast unsalted hash is right
/// here because the secrets are random, not chosen by people.
public enum SecretToken {
    public enum Kind: String, Sendable {
        case apiToken = "stw_api_"
        case registrationToken = "stw_reg_"
        case agentSecret = "stw_agt_"
        /// A web console session, carried in a cookie.
        case session = "stw_ses_"
        case invitation = "stw_inv_"
        /// A hub's license, issued by the license service.
        case licenseKey = "stw_lic_"
        /// What a licensed hub sends its telemetry with.
        case hubKey = "stw_hk_"
        /// The license service's administrator key.
        case licensingAdminKey = "stw_adm_"
    }

    public static func generate(_ kind: Kind) -> String {
        switch kind {
        // The license service's keys are 32 hex digits (128 random bits), easy to read out and type.
        case .licenseKey, .hubKey: kind.rawValue + randomHex(byteCount: 16)
        default: kind.rawValue + randomBase64URL(byteCount: 32)
        }
    }

    /// `byteCount` random bytes, lower-case hex.
    public static func randomHex(byteCount: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// `byteCount` random bytes, base64url without padding.
    public static func randomBase64URL(byteCount: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// What the hub keeps of a secret.
    public struct Digest: Sendable, Equatable {
        /// The first 16 hex digits of the SHA-256: enough to find the record, useless to forge it.
        public var lookupKey: String
        /// The whole SHA-256, hex.
        public var hash: String

        public init(of secret: String) {
            let hex = Hex.encode(SHA256.hash(data: Data(secret.utf8)))
            self.hash = hex
            self.lookupKey = String(hex.prefix(16))
        }

        /// Whether `secret` hashes to `storedHash`, in time that does not depend on where they differ.
        public static func matches(_ secret: String, storedHash: String) -> Bool {
            ConstantTime.equals(Digest(of: secret).hash, storedHash)
        }
    }
}

/// Comparison of secrets that does not leak, through its running time, how much of them matched.
public enum ConstantTime {
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        // Always walk the longer input so the time depends only on the lengths.
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
