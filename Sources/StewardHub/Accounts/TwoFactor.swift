import Crypto
import Foundation
import HummingbirdOTP
import StewardCore

/// TOTP (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) and backup codes. A code is accepted for
/// the current step or one step either side, and only for a step later than the last one used, so
/// a code seen over a shoulder cannot be replayed.
enum TwoFactor {
    static let stepSeconds = 30
    static let digits = 6
    static let backupCodeCount = 10
    static let issuer = "Steward"

    /// A new secret: 20 random characters of the base32 alphabet (the key is their bytes, as
    /// HummingbirdOTP takes it).
    static func newSecret() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        return String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }

    static func totp(_ secret: String) -> TOTP {
        TOTP(secret: secret, length: digits, timeStep: stepSeconds)
    }

    /// The `otpauth://` URI an authenticator app reads (as a QR code or typed in).
    static func uri(secret: String, account: String) -> String {
        totp(secret).createAuthenticatorURL(label: "\(issuer):\(account)", issuer: issuer)
    }

    /// The base32 form of the secret, for typing into an authenticator app: the URI's own.
    static func displaySecret(_ secret: String) -> String {
        URLComponents(string: uri(secret: secret, account: "x"))?.queryItems?.first { $0.name == "secret" }?.value ?? ""
    }

    static func step(at date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970) / Int64(stepSeconds)
    }

    /// The time step `code` belongs to, if it is right for `now` (± one step) and later than
    /// `lastStep`; `nil` otherwise.
    static func acceptedStep(_ code: String, secret: String, now: Date, after lastStep: Int64?) -> Int64? {
        let trimmed = code.filter { !$0.isWhitespace }
        guard trimmed.count == digits, let given = Int(trimmed) else { return nil }
        let generator = totp(secret)
        let current = step(at: now)
        for candidate in [current - 1, current, current + 1] where candidate > (lastStep ?? Int64.min) {
            let date = Date(timeIntervalSince1970: TimeInterval(candidate * Int64(stepSeconds)))
            if ConstantTime.equals(String(generator.compute(date: date)), String(given)) { return candidate }
        }
        return nil
    }

    /// New backup codes, shown once: `xxxxx-xxxxx` of lower-case letters and digits.
    static func newBackupCodes() -> [String] {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        return (0..<backupCodeCount).map { _ in
            let characters = (0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] }
            return String(characters[0..<5]) + "-" + String(characters[5...])
        }
    }

    /// How a backup code is stored: SHA-256 of its normalised form.
    static func backupCodeHash(_ code: String) -> String {
        let normalised = code.lowercased().filter { $0.isLetter || $0.isNumber }
        return Hex.encode(SHA256.hash(data: Data(normalised.utf8)))
    }
}
