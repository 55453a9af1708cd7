import Foundation
import HTTPTypes
import StewardCore
import StewardHub

/// The rules of clients, instances and their licenses: what the admin API, the console and
/// activation all call. Keys are made here, shown once, and kept only as digests.
public struct LicenseService: Sendable {
    let store: LicensingStore
    let clock: HubClock

    public init(store: LicensingStore, clock: HubClock) {
        self.store = store
        self.clock = clock
    }

    // MARK: Clients

    func createClient(_ request: Wire.Licensing.ClientRequest) async throws -> Wire.Licensing.Client {
        let now = clock.now
        var client = Wire.Licensing.Client(
            id: UUID().uuidString.lowercased(), name: "", contactEmail: nil, notes: nil, createdAt: now, updatedAt: now)
        try Self.apply(request, to: &client, creating: true)
        try await store.insertClient(client)
        return client
    }

    func clients() async throws -> [Wire.Licensing.Client] {
        try await store.clients()
    }

    func client(id: String) async throws -> Wire.Licensing.Client {
        guard let client = try await store.client(id: id) else { throw APIError.notFound("client", id: id) }
        return client
    }

    func updateClient(id: String, _ request: Wire.Licensing.ClientRequest) async throws -> Wire.Licensing.Client {
        var client = try await client(id: id)
        try Self.apply(request, to: &client, creating: false)
        client.updatedAt = clock.now
        try await store.updateClient(client)
        return client
    }

    func deleteClient(id: String) async throws {
        guard try await store.deleteClient(id: id, at: clock.now) else { throw APIError.notFound("client", id: id) }
    }

    private static func apply(_ request: Wire.Licensing.ClientRequest, to client: inout Wire.Licensing.Client, creating: Bool) throws {
        var problems: [Wire.FieldError] = []
        if let name = request.name?.trimmingCharacters(in: .whitespaces) {
            if name.isEmpty || name.count > 200 {
                problems.append(.init(field: "name", message: "must be 1 to 200 characters"))
            } else {
                client.name = name
            }
        } else if creating {
            problems.append(.init(field: "name", message: "is required"))
        }
        if let email = request.contactEmail {
            if email.isEmpty {
                client.contactEmail = nil
            } else if email.count > 254 || email.wholeMatch(of: /[^@\s]+@[^@\s]+/) == nil {
                problems.append(.init(field: "contact_email", message: "must be an e-mail address"))
            } else {
                client.contactEmail = email
            }
        }
        if let notes = request.notes {
            if notes.count > 2000 {
                problems.append(.init(field: "notes", message: "must be at most 2000 characters"))
            } else {
                client.notes = notes.isEmpty ? nil : notes
            }
        }
        if !problems.isEmpty { throw APIError.invalid(problems) }
    }

    // MARK: Instances

    func createInstance(clientID: String, _ request: Wire.Licensing.InstanceRequest) async throws -> Wire.Licensing.IssuedLicense {
        _ = try await client(id: clientID)
        let entitlements = Wire.Licensing.Entitlements(
            maxServers: request.maxServers, maxUsers: request.maxUsers, expiresAt: request.expiresAt, features: request.features ?? [])
        let name = try Self.checkTerms(name: request.name, entitlements)
        let key = SecretToken.generate(.licenseKey)
        let instance = Wire.Licensing.Instance(
            id: UUID().uuidString.lowercased(), clientID: clientID, name: name, state: .active, entitlements: entitlements,
            fingerprint: nil, moveAllowed: false, activatedAt: nil, lastTelemetryAt: nil, version: nil, createdAt: clock.now)
        try await store.insertInstance(instance, license: SecretToken.Digest(of: key))
        return .init(instance: instance, licenseKey: key)
    }

    /// Renames an instance or changes what its license allows; the hub learns it with its next window.
    func updateInstance(id: String, _ patch: Wire.Licensing.InstancePatch) async throws -> Wire.Licensing.Instance {
        let current = try await instance(id: id)
        var entitlements = current.entitlements
        if let maxServers = patch.maxServers { entitlements.maxServers = maxServers }
        if let maxUsers = patch.maxUsers { entitlements.maxUsers = maxUsers }
        if let expiresAt = patch.expiresAt { entitlements.expiresAt = expiresAt }
        if let features = patch.features { entitlements.features = features }
        let name = try Self.checkTerms(name: patch.name ?? current.name, entitlements)
        try await change(id, .terms(name: name, entitlements))
        return try await instance(id: id)
    }

    /// The trimmed name, or 422 naming every field that is wrong.
    private static func checkTerms(name: String, _ entitlements: Wire.Licensing.Entitlements) throws -> String {
        var problems: [Wire.FieldError] = []
        let name = name.trimmingCharacters(in: .whitespaces)
        if name.isEmpty || name.count > 200 { problems.append(.init(field: "name", message: "must be 1 to 200 characters")) }
        for (field, limit) in [("max_servers", entitlements.maxServers), ("max_users", entitlements.maxUsers)] {
            if let limit, !(0...10_000_000).contains(limit) {
                problems.append(.init(field: field, message: "must be from 0 to 10000000, or left out for no limit"))
            }
        }
        let features = entitlements.features
        if features.count > 50 || !features.allSatisfy({ $0.wholeMatch(of: /[a-z0-9][a-z0-9._-]{0,63}/) != nil }) {
            problems.append(.init(field: "features", message: "must be at most 50 names of lower-case letters, digits, '.', '_' and '-'"))
        }
        if !problems.isEmpty { throw APIError.invalid(problems) }
        return name
    }

    func instances(clientID: String) async throws -> [Wire.Licensing.Instance] {
        _ = try await client(id: clientID)
        let now = clock.now
        return try await store.instances(clientID: clientID).map { $0.instance(at: now) }
    }

    func instance(id: String) async throws -> Wire.Licensing.Instance {
        guard let record = try await store.instance(id: id) else { throw APIError.notFound("instance", id: id) }
        return record.instance(at: clock.now)
    }

    /// A new license key; the old one stops activating at once. The hub's telemetry key stays.
    func rotateLicense(id: String) async throws -> Wire.Licensing.IssuedLicense {
        let key = SecretToken.generate(.licenseKey)
        try await change(id, .license(SecretToken.Digest(of: key)))
        return .init(instance: try await instance(id: id), licenseKey: key)
    }

    /// A new telemetry key; the old one is refused at once.
    func rotateHubKey(id: String) async throws -> Wire.Licensing.IssuedHubKey {
        let key = SecretToken.generate(.hubKey)
        try await change(id, .hubKey(hash: SecretToken.Digest(of: key).hash))
        return .init(instance: try await instance(id: id), hubAPIKey: key)
    }

    func setState(id: String, _ state: Wire.Licensing.State) async throws -> Wire.Licensing.Instance {
        try await change(id, .state(state))
        return try await instance(id: id)
    }

    /// Lets the next activation come from another installation (a hub moved to a new machine).
    func allowMove(id: String) async throws -> Wire.Licensing.Instance {
        try await change(id, .moveAllowed)
        return try await instance(id: id)
    }

    func telemetry(instanceID: String, limit: Int) async throws -> [Wire.Licensing.TelemetryRecord] {
        _ = try await instance(id: instanceID)
        return try await store.telemetry(instanceID: instanceID, limit: limit)
    }

    private func change(_ id: String, _ change: LicensingStore.InstanceChange) async throws {
        guard try await store.changeInstance(id: id, change, at: clock.now) else { throw APIError.notFound("instance", id: id) }
    }

    // MARK: Activation

    /// Activates the instance whose license `request` carries, from the installation it names: a
    /// new telemetry key (any earlier one stops working) and the entitlements.
    func activate(_ request: Wire.Licensing.ActivationRequest) async throws -> Wire.Licensing.Activation {
        var problems: [Wire.FieldError] = []
        if request.fingerprint.wholeMatch(of: /[A-Za-z0-9._:-]{8,128}/) == nil {
            problems.append(.init(field: "fingerprint", message: "must be 8 to 128 letters, digits, '.', '_', ':' or '-'"))
        }
        if !TelemetryRedactor.allows(request.version, by: .version) {
            problems.append(.init(field: "version", message: "must be a release number such as 1.2.3"))
        }
        if !problems.isEmpty { throw APIError.invalid(problems) }
        let record = try await licensed(by: request.licenseKey)
        let now = clock.now
        switch record.instance(at: now).state {
        case .active: break
        case .suspended: throw Self.refused("license_suspended", "this license is suspended; ask your provider to reactivate it")
        case .expired: throw Self.refused("license_expired", "this license expired; ask your provider to renew it")
        case .deleted: throw Self.refused("license_deleted", "this license was withdrawn")
        }
        if let fingerprint = record.instance.fingerprint, fingerprint != request.fingerprint, !record.instance.moveAllowed {
            throw APIError(
                .conflict, code: "license_in_use",
                detail: "this license is active on another installation; ask your provider to allow a move, then activate again")
        }
        let hubKey = SecretToken.generate(.hubKey)
        try await store.changeInstance(
            id: record.instance.id,
            .activated(fingerprint: request.fingerprint, version: request.version, hubKeyHash: SecretToken.Digest(of: hubKey).hash), at: now
        )
        return .init(instanceID: record.instance.id, hubAPIKey: hubKey, entitlements: record.instance.entitlements)
    }

    /// The instance a license key belongs to; 401 for a key that is malformed, unknown or replaced.
    private func licensed(by key: String) async throws -> InstanceRecord {
        let invalid = APIError(.unauthorized, code: "license_invalid", detail: "this license key is not valid")
        guard Self.isLicenseKey(key) else { throw invalid }
        let digest = SecretToken.Digest(of: key)
        guard let record = try await store.instance(licenseLookup: digest.lookupKey),
            ConstantTime.equals(digest.hash, record.licenseHash)
        else { throw invalid }
        return record
    }

    /// `stw_lic_` and 32 lower-case hex digits.
    static func isLicenseKey(_ key: String) -> Bool {
        key.wholeMatch(of: /stw_lic_[0-9a-f]{32}/) != nil
    }

    private static func refused(_ code: String, _ detail: String) -> APIError {
        APIError(.forbidden, code: code, detail: detail)
    }
}
