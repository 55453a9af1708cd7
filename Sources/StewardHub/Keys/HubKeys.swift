import Crypto
import Foundation
import StewardCore

/// The hub's two keys, both kept in the data directory with mode 0600 and made on first start.
///
/// - `master.key`: 32 random bytes, the AES-256-GCM key for secrets at rest. `STEWARD_MASTER_KEY`
///   (base64) overrides the file, so it can live in a secret manager instead.
/// - `signing.key`: the Ed25519 private key that signs jobs; agents pin its public half at enrollment.
public struct HubKeys: Sendable {
    public let masterKey: SymmetricKey
    public let signingKey: Curve25519.Signing.PrivateKey

    /// The public key as agents receive it: raw representation, base64.
    public var publicKeyBase64: String {
        signingKey.publicKey.rawRepresentation.base64EncodedString()
    }

    /// The public key's fingerprint, which operators give agents as `--hub-key`.
    public var fingerprint: String {
        HubKeyFingerprint.of(publicKey: signingKey.publicKey.rawRepresentation)
    }

    /// Loads the keys from `dataDirectory`, creating any that do not exist yet.
    public static func loadOrCreate(in dataDirectory: String, environment: [String: String]) throws -> HubKeys {
        let masterKey: SymmetricKey
        if let fromEnvironment = environment["STEWARD_MASTER_KEY"] {
            guard let bytes = Data(base64Encoded: fromEnvironment), bytes.count == 32 else {
                throw ConfigurationError("STEWARD_MASTER_KEY must be 32 bytes, base64-encoded")
            }
            masterKey = SymmetricKey(data: bytes)
        } else {
            masterKey = SymmetricKey(
                data: try loadOrCreateKeyFile(dataDirectory + "/master.key") {
                    SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
                })
        }
        let signingBytes = try loadOrCreateKeyFile(dataDirectory + "/signing.key") {
            Curve25519.Signing.PrivateKey().rawRepresentation
        }
        do {
            return HubKeys(masterKey: masterKey, signingKey: try .init(rawRepresentation: signingBytes))
        } catch {
            throw ConfigurationError("\(dataDirectory)/signing.key is not an Ed25519 private key")
        }
    }

    private static func loadOrCreateKeyFile(_ path: String, make: () -> Data) throws -> Data {
        if FileManager.default.fileExists(atPath: path) {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
                throw ConfigurationError(
                    "\(path) is readable by others (mode \(String(mode, radix: 8))); run: chmod 600 \(path)")
            }
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard data.count == 32 else { throw ConfigurationError("\(path) must hold exactly 32 bytes") }
            return data
        }
        let data = make()
        try AtomicFile.write(data, to: path, mode: 0o600)
        return data
    }
}
