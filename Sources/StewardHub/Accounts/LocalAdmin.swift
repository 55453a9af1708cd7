import Foundation
import Logging
import ServiceLifecycle

/// What someone with access to the hub's files (not its API) may do: set a user's password anew
/// when nobody can sign in any more, audited as `local-admin`.
public enum LocalAdmin {
    public enum Failure: Error, CustomStringConvertible {
        case noSuchUser(String)
        case weakPassword(String)

        public var description: String {
            switch self {
            case .noSuchUser(let email): "there is no user \(email)"
            case .weakPassword(let problem): "the new password \(problem)"
            }
        }
    }

    /// Sets `email`'s password, ends every session of the user, enables the account, and, when
    /// asked, turns two-factor sign-in off (for a lost authenticator and lost backup codes).
    public static func resetPassword(
        database: DatabaseLocation, email: String, password: String, disableTwoFactor: Bool, logger: Logger
    ) async throws {
        if let problem = PasswordPolicy.problem(password, email: email) { throw Failure.weakPassword(problem) }
        let pool: any DatabasePool & Service =
            switch database {
            case .sqlite(let path): try await SQLitePool.open(path: path, logger: logger)
            case .postgresql(let url): try PostgresPool(url: url, logger: logger)
            }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pool.run() }
            defer { group.cancelAll() }
            let store = Store(pool: pool)
            try await store.migrate(logger: logger)
            guard let user = try await store.user(email: email) else { throw Failure.noSuchUser(email) }
            let now = Date()
            func audit(_ action: String) -> AuditEvent {
                AuditEvent(
                    tenantID: user.tenantID, actor: "local-admin", action: action, target: "user:\(user.id)",
                    detail: ["email": user.email], sourceAddress: "local")
            }
            try await store.changePassword(
                userID: user.id, hash: try await AccountService.hash(password), keeping: nil, audit: audit("user.password_reset"), at: now)
            if user.disabledAt != nil { _ = try await store.setDisabled(userID: user.id, false, audit: audit("user.enable"), at: now) }
            if disableTwoFactor, user.totpEnabledAt != nil || user.sealedTOTPSecret != nil {
                try await store.disableTOTP(userID: user.id, audit: audit("user.totp_disable"), at: now)
            }
        }
    }
}
