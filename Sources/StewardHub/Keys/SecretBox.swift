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
        try seal(encoding: values)
    }

    public func open(_ sealed: String) throws -> [String: String] {
        try open(sealed, as: [String: String].self)
    }

    /// Seals any value as its JSON encoding.
    public func seal(encoding value: some Encodable) throws -> String {
        let plaintext = try JSONEncoder().encode(value)
        guard let combined = try AES.GCM.seal(plaintext, using: key).combined else { throw StoreError("AES-GCM gave no combined form") }
        return combined.base64EncodedString()
    }

    public func open<Value: Decodable>(_ sealed: String, as type: Value.Type) throws -> Value {
        guard let data = Data(base64Encoded: sealed) else { throw StoreError("sealed secrets are not base64") }
        let plaintext = try AES.GCM.open(try AES.GCM.SealedBox(combined: data), using: key)
        return try JSONDecoder().decode(Value.self, from: plaintext)
    }
}
