import Foundation
import Hummingbird
import StewardCore

/// `/api/v1/registration-tokens`: create (value shown once), list, revoke.
struct RegistrationTokenController {
    let store: Store
    let clock: HubClock
    /// The hub signing key's fingerprint, printed with every new token.
    let hubKey: String

    func addRoutes(to group: RouterGroup<OperatorRequestContext>) {
        group.post(use: create)
        group.get(use: list)
        group.delete(":id", use: revoke)
    }

    @Sendable func create(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.RegistrationToken.CreateRequest.self, context: context)
        return try JSONResponse(
            status: .created, try await Self.issue(body, store: store, now: clock.now, hubKey: hubKey, context: context))
    }

    /// Checks a request for a token and creates it, audited; the API and the console both issue
    /// tokens through here. Throws ``APIError/invalid(_:)`` with every field error.
    static func issue(
        _ body: Wire.RegistrationToken.CreateRequest, store: Store, now: Date, hubKey: String, context: some OperatorContext
    ) async throws -> Wire.RegistrationToken.Created {
        var problems: [Wire.FieldError] = []
        let description = (body.description ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if description.count > 200 {
            problems.append(.init(field: "description", message: "must be at most 200 characters"))
        }
        let maxUses = body.maxUses ?? 1
        if !(0...1_000_000).contains(maxUses) {
            problems.append(.init(field: "max_uses", message: "must be between 0 (unlimited) and 1000000"))
        }
        var expiresAt = body.expiresAt
        switch (body.expiresAt, body.expiresInSeconds) {
        case (.some, .some):
            problems.append(.init(field: "expires_at", message: "give expires_at or expires_in_seconds, not both"))
        case (.some(let date), nil) where date <= now:
            problems.append(.init(field: "expires_at", message: "must be in the future"))
        case (nil, .some(let seconds)):
            if (1...31_536_000).contains(seconds) {
                expiresAt = now.addingTimeInterval(TimeInterval(seconds))
            } else {
                problems.append(.init(field: "expires_in_seconds", message: "must be between 1 and 31536000 (a year)"))
            }
        default: break
        }
        let labels = body.labels ?? [:]
        problems += Labels.problems(labels)
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        let value = SecretToken.generate(.registrationToken)
        let record = RegistrationTokenRecord(
            id: UUID().uuidString.lowercased(), tenantID: context.identity.tenantID, digest: SecretToken.Digest(of: value),
            description: description, labels: labels, maxUses: maxUses, expiresAt: expiresAt,
            createdBy: context.identity.email, createdAt: now)
        var detail = ["max_uses": String(maxUses)]
        if let expiresAt { detail["expires_at"] = expiresAt.formatted(.iso8601) }
        if !labels.isEmpty { detail["labels"] = labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }.joined(separator: ",") }
        try await store.createRegistrationToken(
            record, audit: context.audit("registration_token.create", target: "registration_token:\(record.id)", detail: detail))
        return Wire.RegistrationToken.Created(token: value, info: record.info(at: now), hubKey: hubKey)
    }

    @Sendable func list(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let now = clock.now
        let tokens = try await store.registrationTokens(tenantID: context.identity.tenantID)
        return try JSONResponse(Wire.ItemList(items: tokens.map { $0.info(at: now) }))
    }

    @Sendable func revoke(request: Request, context: OperatorRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let revoked = try await store.revokeRegistrationToken(
            id: id, tenantID: context.identity.tenantID, at: clock.now,
            audit: context.audit("registration_token.revoke", target: "registration_token:\(id)"))
        guard revoked != nil else { throw APIError.notFound("registration token", id: id) }
        return Response(status: .noContent)
    }
}
