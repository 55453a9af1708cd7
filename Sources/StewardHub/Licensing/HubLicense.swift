import Crypto
import Foundation
import HTTPTypes
import Logging
import StewardCore
import Synchronization

/// The hub's license: the one home of its rules. Activates against the license service, keeps the
/// activation (telemetry key sealed), answers whether one more server or user fits, and hears from
/// each telemetry receipt where the license stands.
///
/// The hub always works without the service: until it is reached nothing is refused, and a service
/// that goes away leaves the last known state in force. Only `suspended`, `expired` and `deleted`
/// licenses refuse anything, and then only new enrollments (and, past `max_users`, invitations).
public final class HubLicense: Sendable {
    let settings: LicenseSettings?
    let store: Store
    let clock: HubClock
    let box: SecretBox
    /// What the hub calls itself to the service: stable for one installation (its signing key).
    let fingerprint: String
    let logger: Logger
    private let activation = Mutex<LicenseActivationRecord?>(nil)
    /// A refusal of activation, by its problem code, until the next attempt.
    private let refusal = Mutex<Wire.Problem?>(nil)

    public init(settings: LicenseSettings?, store: Store, clock: HubClock, box: SecretBox, hubKeyFingerprint: String, logger: Logger) {
        self.settings = settings
        self.store = store
        self.clock = clock
        self.box = box
        self.fingerprint = "hub-" + String(Hex.encode(SHA256.hash(data: Data("steward-instance:\(hubKeyFingerprint)".utf8))).prefix(40))
        self.logger = logger
    }

    /// Reads the stored activation, if it was made with the configured key (a new key activates anew).
    func load() async throws {
        guard let settings, let stored = try await store.licenseActivation() else { return }
        if ConstantTime.equals(stored.licenseKeyHash, SecretToken.Digest(of: settings.licenseKey).hash) {
            activation.withLock { $0 = stored }
        }
    }

    /// Whether the hub should (re)activate: configured, and without a usable activation.
    var needsActivation: Bool {
        settings != nil && activation.withLock { $0 == nil } && refusal.withLock { $0 == nil }
    }

    /// The instance id and telemetry key, once activated.
    func telemetryCredentials() throws -> (instanceID: String, hubKey: String)? {
        guard let record = activation.withLock({ $0 }) else { return nil }
        return (record.instanceID, try box.open(record.sealedHubKey, as: String.self))
    }

    /// One activation attempt. Throws ``LicenseClient/Unavailable`` when the service cannot be
    /// reached (the caller retries with back-off); a refusal is kept and reported, not thrown.
    func activate(with client: LicenseClient) async throws {
        guard let settings else { return }
        let request = Wire.Licensing.ActivationRequest(
            licenseKey: settings.licenseKey, fingerprint: fingerprint, version: StewardVersion.current)
        switch try await client.activate(request) {
        case .accepted(let answer):
            let now = clock.now
            let record = LicenseActivationRecord(
                licenseKeyHash: SecretToken.Digest(of: settings.licenseKey).hash, instanceID: answer.instanceID,
                sealedHubKey: try box.seal(encoding: answer.hubAPIKey), state: .active, entitlements: answer.entitlements, activatedAt: now,
                checkedAt: now)
            try await store.saveLicenseActivation(record)
            activation.withLock { $0 = record }
            refusal.withLock { $0 = nil }
            logger.info("license activated", metadata: ["license.instance_id": "\(answer.instanceID)"])
        case .refused(let problem):
            refusal.withLock { $0 = problem }
            logger.error(
                "the license service refused activation",
                metadata: ["license.problem": "\(problem.code)", "detail": "\(problem.detail ?? "")"])
        }
    }

    /// Takes the stored activation when another hub of the same database replaced it (hubs sharing
    /// PostgreSQL are one instance): returns whether it changed, so the caller sends with the new
    /// key instead of activating again and taking the key from the other hub in turn.
    func reloadStoredActivation() async throws -> Bool {
        guard let settings, let stored = try await store.licenseActivation(),
            ConstantTime.equals(stored.licenseKeyHash, SecretToken.Digest(of: settings.licenseKey).hash)
        else { return false }
        return activation.withLock { current in
            guard current?.sealedHubKey != stored.sealedHubKey else { return false }
            current = stored
            return true
        }
    }

    /// Whether the service refused the last activation.
    var isRefused: Bool { refusal.withLock { $0 != nil } }

    /// Asks for a new activation (the service refused the telemetry key: it was rotated).
    func forgetActivation() {
        activation.withLock { $0 = nil }
        refusal.withLock { $0 = nil }
    }

    /// Clears a refusal so that the next round tries again (the admin may have fixed it).
    func retryRefusedActivation() {
        refusal.withLock { $0 = nil }
    }

    /// Takes the license's state from a telemetry receipt.
    func apply(_ receipt: Wire.Licensing.TelemetryReceipt) async throws {
        let now = clock.now
        try await store.updateLicenseState(receipt.state, entitlements: receipt.entitlements, at: now)
        activation.withLock {
            $0?.state = receipt.state
            $0?.entitlements = receipt.entitlements
            $0?.checkedAt = now
        }
    }

    // MARK: Entitlements

    /// The state that refuses new enrollments, when the license is in one.
    private var blockingState: Wire.Licensing.State? {
        if let code = refusal.withLock({ $0?.code }) {
            switch code {
            case "license_suspended": return .suspended
            case "license_expired": return .expired
            case "license_deleted": return .deleted
            default: return nil
            }
        }
        guard let record = activation.withLock({ $0 }) else { return nil }
        if record.state == .active, let expiresAt = record.entitlements.expiresAt, expiresAt <= clock.now { return .expired }
        return record.state == .active ? nil : record.state
    }

    /// Refuses, with `402 license_limit`, an enrollment past `max_servers` or under a license that is
    /// suspended, expired or withdrawn.
    public func admitServer() async throws {
        if let state = blockingState {
            throw APIError(
                HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"), code: "license_limit",
                detail: "this hub's license is \(state.rawValue): no new servers may enroll until it is active again")
        }
        guard let limit = activation.withLock({ $0?.entitlements.maxServers }) else { return }
        if try await store.enrolledServerCount() >= limit {
            throw APIError(
                HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"), code: "license_limit",
                detail: "this hub's license allows \(limit) servers and all are enrolled; decommission one or extend the license")
        }
    }

    /// Refuses, with `402 license_limit`, an invitation past `max_users` (users and open invitations).
    public func admitUser() async throws {
        guard let limit = activation.withLock({ $0?.entitlements.maxUsers }) else { return }
        if try await store.licensedUserCount(at: clock.now) >= limit {
            throw APIError(
                HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"), code: "license_limit",
                detail: "this hub's license allows \(limit) users and all seats are taken (users and open invitations)")
        }
    }

    /// Where the license stands, for the API and the console.
    public func status() async throws -> Wire.Licensing.HubStatus {
        let servers = try await store.enrolledServerCount()
        let users = try await store.licensedUserCount(at: clock.now)
        guard settings != nil else {
            return .init(
                state: "unlicensed", instanceID: nil, entitlements: nil, checkedAt: nil, servers: servers, users: users, message: nil)
        }
        let record = activation.withLock { $0 }
        let refused = refusal.withLock { $0 }
        let state = blockingState?.rawValue ?? record?.state.rawValue ?? "pending"
        return .init(
            state: state, instanceID: record?.instanceID, entitlements: record?.entitlements, checkedAt: record?.checkedAt,
            servers: servers,
            users: users, message: notice(refused: refused))
    }

    /// One sentence for operators when the license needs attention; `nil` when all is well.
    public func notice() -> String? {
        guard settings != nil else { return nil }
        return notice(refused: refusal.withLock { $0 })
    }

    private func notice(refused: Wire.Problem?) -> String? {
        if let state = blockingState {
            return "This hub's license is \(state.rawValue): everything keeps working, but no new servers may enroll."
        }
        if let refused { return "The license service refused this hub's license (\(refused.code)): \(refused.detail ?? "")" }
        if activation.withLock({ $0 == nil }) { return "This hub has not reached its license service yet; it keeps trying." }
        return nil
    }
}
