import Foundation
import HTTPTypes
import Hummingbird
import StewardCore
import StewardHub

/// What hubs call: `POST /api/v1/instances/activate` (public, rate limited per address and per key)
/// and `POST /api/v1/instances/{id}/telemetry` (with the instance's `X-Hub-Api-Key`).
struct InstanceController {
    static let hubKeyHeader = HTTPField.Name("X-Hub-Api-Key")!

    let licenses: LicenseService
    let intake: TelemetryIntake
    let activationsPerAddress: RateLimiter
    let activationsPerKey: RateLimiter
    let telemetryPerInstance: RateLimiter

    func addRoutes(to group: RouterGroup<LicensingRequestContext>) {
        group.post("activate", use: activate)
        group.post("{id}/telemetry", use: telemetry)
    }

    @Sendable func activate(request: Request, context: LicensingRequestContext) async throws -> JSONResponse {
        try await throttle(activationsPerAddress, context.sourceAddress, "activations from \(context.sourceAddress)")
        let body = try await request.decodeJSON(as: Wire.Licensing.ActivationRequest.self, context: context)
        // Per key as well, by its digest: guessing keys from many addresses gets no further.
        try await throttle(activationsPerKey, SecretToken.Digest(of: body.licenseKey).lookupKey, "activations of this license")
        return try JSONResponse(try await licenses.activate(body))
    }

    @Sendable func telemetry(request: Request, context: LicensingRequestContext) async throws -> JSONResponse {
        let id = try context.parameters.require("id")
        try await throttle(telemetryPerInstance, id, "telemetry windows for this instance")
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let receipt = try await intake.receive(
            instanceID: id, hubKey: request.headers[Self.hubKeyHeader], body: Data(body.readableBytesView))
        return try JSONResponse(status: receipt.stored ? .created : .ok, receipt)
    }

    private func throttle(_ limiter: RateLimiter, _ key: String, _ what: String) async throws {
        guard let wait = await limiter.acquire(key, now: licenses.clock.now) else { return }
        var error = APIError(.tooManyRequests, code: "rate_limited", detail: "too many \(what); try again in \(wait) s")
        error.headers[.retryAfter] = String(wait)
        throw error
    }
}
