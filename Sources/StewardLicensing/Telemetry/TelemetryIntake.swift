import Foundation
import HTTPTypes
import StewardCore
import StewardHub

/// Receives a hub's telemetry windows: authenticates the hub's key, passes the body through the
/// allow-list, and stores what is left once per window.
///
/// Nothing of what was dropped is kept or logged, and no problem it answers quotes the body: the
/// redactor's count is the only trace.
public struct TelemetryIntake: Sendable {
    let store: LicensingStore
    let clock: HubClock
    let redactor = TelemetryRedactor()
    /// A window's body may not be bigger than this.
    static let maxBodyBytes = 256 * 1024

    public init(store: LicensingStore, clock: HubClock) {
        self.store = store
        self.clock = clock
    }

    func receive(instanceID: String, hubKey: String?, body: Data) async throws -> Wire.Licensing.TelemetryReceipt {
        let record = try await authenticate(instanceID: instanceID, hubKey: hubKey)
        guard let document = try? Wire.makeDecoder().decode(JSONValue.self, from: body) else {
            throw APIError(.badRequest, code: "invalid_json", detail: "the body is not valid JSON")
        }
        var redacted = redactor.redact(document)
        guard case .object(var fields) = redacted.value else { throw StoreError("the redactor kept a document that is not an object") }
        // A window speaks for the instance whose key sent it, and no other.
        if let named = fields["instance_id"], named != .string(instanceID) {
            fields["instance_id"] = nil
            redacted.droppedFields += 1
        }
        guard case .string(let startText) = fields["window_start"], case .string(let endText) = fields["window_end"],
            let start = Self.date(startText), let end = Self.date(endText), start < end
        else {
            throw APIError(
                .unprocessableContent, code: "invalid_window",
                detail: "a window needs window_start and window_end, UTC date-times with the start before the end")
        }
        var version: String?
        if case .string(let text) = fields["hub_version"] { version = text }
        let now = clock.now
        let stored = try await store.storeTelemetry(
            instanceID: instanceID, start: start, end: end, droppedFields: redacted.droppedFields,
            body: try JSONValue.object(fields).jsonText(), version: version, at: now)
        let instance = record.instance(at: now)
        return .init(stored: stored, droppedFields: redacted.droppedFields, state: instance.state, entitlements: instance.entitlements)
    }

    /// The instance whose telemetry key `hubKey` is; 401 for anything else, the same answer whether
    /// the instance is unknown, deleted or the key wrong or replaced.
    private func authenticate(instanceID: String, hubKey: String?) async throws -> InstanceRecord {
        let refused = APIError(.unauthorized, code: "invalid_hub_key", detail: "send this instance's hub key as 'X-Hub-Api-Key'")
        guard let hubKey, hubKey.wholeMatch(of: /stw_hk_[0-9a-f]{32}/) != nil, instanceID.utf8.count <= 64,
            let record = try await store.instance(id: instanceID), let hash = record.hubKeyHash,
            ConstantTime.equals(SecretToken.Digest(of: hubKey).hash, hash)
        else { throw refused }
        return record
    }

    private static func date(_ text: String) -> Date? {
        (try? Date(text, strategy: .iso8601)) ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }
}
