import Crypto
import Foundation

/// Seals secrets at rest with the master key: AES-256-GCM, a fresh nonce per value, base64 of
/// nonce ‖ ciphertext ‖ tag. Tampering or the wrong key fails to open, never yields garbage.
public struct SecretBox: Sendable {
    let key: SymmetricKey

    public init(key: SymmetricKey) {
        self.key = key
    }

    public func seal(_ values: [String: String]) throws -> String {
        let plaintext = try JSONEncoder().encode(values)
        guard let combined = try AES.GCM.seal(plaintext, using: key).combined else { throw StoreError("AES-GCM gave no combined form") }
        return combined.base64EncodedString()
    }

    public func open(_ sealed: String) throws -> [String: String] {
        guard let data = Data(base64Encoded: sealed) else { throw StoreError("sealed secrets are not base64") }
        let plaintext = try AES.GCM.open(try AES.GCM.SealedBox(combined: data), using: key)
        return try JSONDecoder().decode([String: String].self, from: plaintext)
    }
}
