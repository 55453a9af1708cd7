import Foundation
import HummingbirdBcrypt
import Logging
import NIOPosix
import StewardCore

/// Creates the owner account and its API token on the first start with an empty database.
public enum OwnerBootstrap {
    /// What the operator may choose for the first start (`STEWARD_BOOTSTRAP_TOKEN`,
    /// `STEWARD_ADMIN_PASSWORD`, `STEWARD_ADMIN_EMAIL`); anything left out is generated.
    public struct Settings: Sendable {
        public var apiToken: String?
        public var password: String?
        public var email: String

        public init(apiToken: String? = nil, password: String? = nil, email: String = "admin@localhost") {
            self.apiToken = apiToken
            self.password = password
            self.email = email
        }

        public init(environment: [String: String]) {
            self.init(
                apiToken: environment["STEWARD_BOOTSTRAP_TOKEN"],
                password: environment["STEWARD_ADMIN_PASSWORD"],
                email: environment["STEWARD_ADMIN_EMAIL"] ?? "admin@localhost")
        }

        /// Refuses values that would make the owner easy to impersonate.
        func validate() throws(ConfigurationError) {
            if let apiToken, apiToken.count < 24 || apiToken.contains(where: \.isWhitespace) {
                throw ConfigurationError("STEWARD_BOOTSTRAP_TOKEN must be at least 24 characters without spaces")
            }
            if let password, password.count < 12 {
                throw ConfigurationError("STEWARD_ADMIN_PASSWORD must be at least 12 characters")
            }
            let parts = email.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, email.count <= 254,
                !email.contains(where: \.isWhitespace)
            else {
                throw ConfigurationError("STEWARD_ADMIN_EMAIL must be an e-mail address such as admin@example.com")
            }
        }
    }

    /// The owner's credentials, shown once. `generated` says which values nobody has seen yet.
    public struct Credentials: Sendable {
        public var email: String
        public var password: String
        public var apiToken: String
        public var passwordWasGenerated: Bool
        public var apiTokenWasGenerated: Bool
    }

    /// Creates the owner when there are no users yet. Returns the credentials only when it did.
    static func run(settings: Settings, store: Store, logger: Logger) async throws -> Credentials? {
        guard try await store.userCount() == 0 else { return nil }
        let password = settings.password ?? SecretToken.randomBase64URL(byteCount: 18)
        let apiToken = settings.apiToken ?? SecretToken.generate(.apiToken)
        let now = Date()
        // A quarter of a second of bcrypt: on a thread of NIO's pool, not one of the few that run tasks.
        let passwordHash = try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: 12) }
        let owner = UserRecord(
            id: UUID().uuidString.lowercased(), tenantID: Store.defaultTenant, email: settings.email.lowercased(),
            passwordHash: passwordHash, role: .owner, createdAt: now)
        let token = APITokenRecord(
            id: UUID().uuidString.lowercased(), tenantID: Store.defaultTenant, userID: owner.id,
            digest: SecretToken.Digest(of: apiToken), description: "owner token created at first start", createdAt: now)
        try await store.createOwner(owner, apiToken: token)
        logger.info("created the owner account", metadata: ["user.email": "\(owner.email)"])
        return Credentials(
            email: owner.email, password: password, apiToken: apiToken,
            passwordWasGenerated: settings.password == nil, apiTokenWasGenerated: settings.apiToken == nil)
    }
}
