import Foundation
import HTTPTypes
import Logging
import StewardCore
import StewardHub

/// Who may administer the license service: holders of the administrator key, through the API's
/// `X-Admin-Api-Key` header or a console session opened with it.
public struct AdminAccess: Sendable {
    let store: LicensingStore
    let clock: HubClock
    /// A console session lasts this long.
    static let sessionLifetime: TimeInterval = 12 * 3600

    public init(store: LicensingStore, clock: HubClock) {
        self.store = store
        self.clock = clock
    }

    /// On a first start (no live key), makes the administrator key: `configured` when given (it must
    /// be at least 32 characters), else a random one. Returns the key when it was made, to be shown
    /// this once; `nil` when a key already exists.
    public func bootstrap(configured: String?) async throws -> String? {
        guard try await store.liveAdminKeyCount() == 0 else { return nil }
        let key: String
        if let configured, !configured.isEmpty {
            guard configured.count >= 32, configured.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw ConfigurationError("STEWARD_LICENSING_ADMIN_KEY must be at least 32 printable characters without spaces")
            }
            key = configured
        } else {
            key = SecretToken.generate(.licensingAdminKey)
        }
        try await store.addAdminKey(SecretToken.Digest(of: key), revokingOthers: false, at: clock.now)
        return key
    }

    /// Replaces every administrator key with a new one and ends every console session. Returns the
    /// new key, to be shown this once.
    public func rotate() async throws -> String {
        let key = SecretToken.generate(.licensingAdminKey)
        try await store.addAdminKey(SecretToken.Digest(of: key), revokingOthers: true, at: clock.now)
        try await store.deleteAllSessions()
        return key
    }

    /// Whether `key` is a live administrator key, compared in constant time.
    func verify(_ key: String) async throws -> Bool {
        guard key.utf8.count <= 256 else { return false }
        let digest = SecretToken.Digest(of: key)
        guard let hash = try await store.adminKeyHash(lookupKey: digest.lookupKey) else { return false }
        return ConstantTime.equals(digest.hash, hash)
    }

    /// A console session for the holder of `key`, or `nil` when the key is wrong.
    func signIn(with key: String) async throws -> String? {
        guard try await verify(key) else { return nil }
        let token = SecretToken.generate(.session)
        let now = clock.now
        try await store.createSession(SecretToken.Digest(of: token), at: now, expiresAt: now.addingTimeInterval(Self.sessionLifetime))
        return token
    }

    func isLiveSession(_ token: String) async throws -> Bool {
        guard token.utf8.count <= 256 else { return false }
        let digest = SecretToken.Digest(of: token)
        guard let hash = try await store.sessionHash(lookupKey: digest.lookupKey, at: clock.now) else { return false }
        return ConstantTime.equals(digest.hash, hash)
    }

    func signOut(_ token: String) async throws {
        try await store.deleteSession(lookupKey: SecretToken.Digest(of: token).lookupKey)
    }
}
