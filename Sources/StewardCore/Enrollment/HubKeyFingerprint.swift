import Crypto
import Foundation

/// The short form of the hub's signing key that an operator compares and an agent pins at
/// enrollment: `SHA256:` and the unpadded base64 of the SHA-256 of the raw Ed25519 public key, as
/// OpenSSH writes host key fingerprints. `steward token create`, the console's enrollment page and
/// the registration token API print it; `--hub-key` takes it.
public enum HubKeyFingerprint {
    public static let prefix = "SHA256:"

    /// The fingerprint of a raw public key.
    public static func of(publicKey raw: Data) -> String {
        let digest = Data(SHA256.hash(data: raw)).base64EncodedString()
        return prefix + digest.replacingOccurrences(of: "=", with: "")
    }

    /// The fingerprint of a key as agents receive it (raw representation, base64); `nil` when it is not base64.
    public static func of(publicKeyBase64: String) -> String? {
        Data(base64Encoded: publicKeyBase64).map { of(publicKey: $0) }
    }

    /// Whether `text` has a fingerprint's shape: `SHA256:` and 43 base64 characters.
    public static func isWellFormed(_ text: String) -> Bool {
        guard text.hasPrefix(prefix) else { return false }
        let digest = text.dropFirst(prefix.count)
        return digest.utf8.count == 43 && digest.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/") }
    }
}
