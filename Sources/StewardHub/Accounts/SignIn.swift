import Foundation
import HTTPTypes
import HummingbirdBcrypt
import NIOPosix
import StewardCore

/// Checks an e-mail and password, and the second factor when it is on, for the console's sign-in form and for `POST /api/v1/auth/tokens`
/// alike: rate limits per address and per account, bcrypt on the verifier's own threads with the
/// same work whether or not the account exists, and the audit records (a throttled key once a
/// minute, with a count).
struct SignIn: Sendable {
    enum Outcome: Sendable {
        case success(UserRecord)
        /// Too many attempts: retry after this many seconds.
        case throttled(Int)
        /// Too many password checks are waiting already.
        case busy
        /// Wrong e-mail or password, or a disabled account: the caller says no more than that.
        case failed
    }

    let store: Store
    let clock: HubClock
    let passwords: PasswordVerifier
    /// Opens TOTP secrets (sealed with the master key).
    let box: SecretBox
    let addressLimiter = RateLimiter(capacity: 10, period: 60)
    let accountLimiter = RateLimiter(capacity: 5, period: 60)
    let throttleLog = ThrottleLog(period: 60)

    /// Longer than any e-mail address can be (RFC 5321): more is refused before anything is looked up.
    static let maxEmailLength = 254
    /// bcrypt reads 72 bytes; a longer string is cut before it is checked.
    static let maxPasswordLength = 1024

    /// A hash no password matches, checked when the account does not exist so that the answer takes
    /// as long either way.
    static let decoyHash = Bcrypt.hash(SecretToken.randomBase64URL(byteCount: 16), cost: 12)

    /// `channel` names the audit actions: `console.login…` or `api.sign_in…`.
    func check(email rawEmail: String, password rawPassword: String, from address: String, channel: String) async throws -> Outcome {
        let email = String(rawEmail.trimmingCharacters(in: .whitespaces).prefix(Self.maxEmailLength + 1)).lowercased()
        let now = clock.now
        var throttledKey: String?
        var wait = await addressLimiter.acquire(address, now: now)
        if wait != nil {
            throttledKey = "address:" + address
        } else {
            wait = await accountLimiter.acquire(email, now: now)
            if wait != nil { throttledKey = "account:" + email }
        }
        if let wait {
            if let key = throttledKey, let suppressed = await throttleLog.record(key, now: now) {
                try await store.recordAudit(
                    AuditEvent(
                        tenantID: Store.defaultTenant, actor: email, action: "\(channel)_throttled", target: "user:\(email)",
                        detail: [
                            "throttled_by": key.hasPrefix("address:") ? "address" : "account", "not_audited_since_last": "\(suppressed)",
                        ],
                        sourceAddress: address), at: now)
            }
            return .throttled(wait)
        }
        let user = email.utf8.count <= Self.maxEmailLength ? try await store.user(email: email) : nil
        let password = String(rawPassword.prefix(Self.maxPasswordLength))
        // The decoy is made once, lazily, and off the task threads: it is a quarter of a second of bcrypt.
        let hash: String
        if let user { hash = user.passwordHash } else { hash = try await NIOThreadPool.singleton.runIfActive { Self.decoyHash } }
        guard let matches = try await passwords.verify(password, hash: hash) else { return .busy }
        guard let user, matches, user.disabledAt == nil else {
            try await store.recordAudit(
                AuditEvent(
                    tenantID: user?.tenantID ?? Store.defaultTenant, actor: email, action: "\(channel)_failed", target: "user:\(email)",
                    detail: user?.disabledAt != nil && matches ? ["reason": "disabled"] : [:], sourceAddress: address), at: now)
            return .failed
        }
        return .success(user)
    }

    /// Refuses the sign-in unless the user has two-factor sign-in off, or `otp` is a current code
    /// not used before, or an unused backup code (which is then used up).
    func checkSecondFactor(of user: UserRecord, otp: String?, from address: String) async throws {
        guard user.totpEnabledAt != nil, let sealed = user.sealedTOTPSecret else { return }
        guard let otp = otp?.trimmingCharacters(in: .whitespaces), !otp.isEmpty else {
            throw APIError(.unauthorized, code: "otp_required", detail: "give the code of your authenticator app as otp")
        }
        let now = clock.now
        let secret = try box.open(sealed, as: String.self)
        if let step = TwoFactor.acceptedStep(String(otp.prefix(32)), secret: secret, now: now, after: user.totpLastStep),
            try await store.useTOTPStep(userID: user.id, step: step)
        {
            return
        }
        if otp.count <= 32, try await store.useBackupCode(userID: user.id, hash: TwoFactor.backupCodeHash(otp), at: now) {
            let left = try await store.unusedBackupCodes(userID: user.id)
            try await store.recordAudit(
                AuditEvent(
                    tenantID: user.tenantID, actor: user.email, action: "user.backup_code_used", target: "user:\(user.id)",
                    detail: ["left": "\(left)"], sourceAddress: address), at: now)
            return
        }
        try await store.recordAudit(
            AuditEvent(
                tenantID: user.tenantID, actor: user.email, action: "user.otp_failed", target: "user:\(user.id)", sourceAddress: address),
            at: now)
        throw APIError(.unauthorized, code: "otp_invalid", detail: "the code is wrong, expired or was used already")
    }
}
