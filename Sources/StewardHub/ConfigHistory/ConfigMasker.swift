import Crypto
import Foundation
import StewardCore

/// Renders a config file's content fit to keep in the clear and show in diffs: values of
/// secret-looking keys (`DB_PASSWORD=…`, `requirepass …`, `api_key: …`) and the job's own secrets
/// are masked; a declared secret file, or one that is not text, is one line with its size and
/// checksum. A masked value carries a short keyed fingerprint (`****~3f9a1c2b`) so that a diff still
/// shows that a secret changed, without anything to guess it from.
struct ConfigMasker {
    /// Derived from the master key; never the master key itself.
    let fingerprintKey: SymmetricKey
    /// Values masked wherever they appear: the secrets of the job that wrote the file.
    var secrets: [String] = []

    init(masterKey: SymmetricKey, secrets: [String] = []) {
        fingerprintKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: masterKey, info: Data("steward config-history fingerprint".utf8), outputByteCount: 32)
        self.secrets = secrets
    }

    func masked(_ content: Data?, size: Int64, sha256: String, secret: Bool) -> String {
        if secret { return "(secret file: \(size) bytes, SHA-256 \(sha256))\n" }
        guard let content else {
            return "(\(size) bytes, not kept: larger than \(Wire.Job.FileState.maxContentBytes >> 10) KiB; SHA-256 \(sha256))\n"
        }
        guard let text = String(data: content, encoding: .utf8), !text.contains("\0") else {
            return "(binary file: \(size) bytes, SHA-256 \(sha256))\n"
        }
        let known = SecretMasker(secrets: secrets)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { known.mask(maskedLine(String($0))) }
            .joined(separator: "\n")
    }

    /// `KEY=value`, `key: value`, `key = value` and `key value` lines whose key looks secret keep
    /// the key and separator; the value becomes a fingerprinted mask. Comments stay as they are.
    private func maskedLine(_ line: String) -> String {
        guard let match = line.wholeMatch(of: Self.assignment) else { return line }
        let (_, lead, key, separator, value) = match.output
        guard SecretMasker.looksSecret(String(key)), !value.isEmpty else { return line }
        return "\(lead)\(key)\(separator)\(fingerprint(String(value)))"
    }

    func fingerprint(_ value: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: fingerprintKey)
        return SecretMasker.mask + "~" + Hex.encode(code.prefix(4))
    }

    nonisolated(unsafe) private static let assignment = /(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_.\-]*)(\s*[=:]\s*|\s+)(.*)/
}
