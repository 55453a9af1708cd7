import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StewardCore

/// The hub's side of the license service's API: activation and telemetry windows.
struct LicenseClient: Sendable {
    let http: HTTPClient
    let baseURL: String
    static let timeout: TimeAmount = .seconds(15)
    static let maxAnswerBytes = 1 << 20

    /// What the service said to a request it understood.
    enum Answer<Value: Sendable>: Sendable {
        case accepted(Value)
        /// A 4xx with its problem: retrying the same request will not help.
        case refused(Wire.Problem)
    }

    /// Anything else (unreachable, 5xx, 429, an answer that is not the service's): worth retrying.
    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    func activate(_ request: Wire.Licensing.ActivationRequest) async throws -> Answer<Wire.Licensing.Activation> {
        try await post("/api/v1/instances/activate", body: try Wire.makeEncoder().encode(request), headers: [:])
    }

    func sendWindow(_ body: String, instanceID: String, hubKey: String) async throws -> Answer<Wire.Licensing.TelemetryReceipt> {
        try await post("/api/v1/instances/\(instanceID)/telemetry", body: Data(body.utf8), headers: ["X-Hub-Api-Key": hubKey])
    }

    private func post<Value: Decodable & Sendable>(_ path: String, body: Data, headers: [String: String]) async throws -> Answer<Value> {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "steward-hub/\(StewardVersion.current)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: Self.timeout)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw Unavailable(description: "the license service at \(baseURL) cannot be reached: \(error)")
        }
        let bytes = try await response.body.collect(upTo: Self.maxAnswerBytes)
        let data = Data(bytes.readableBytesView)
        switch response.status.code {
        case 200..<300:
            guard let value = try? Wire.makeDecoder().decode(Value.self, from: data) else {
                throw Unavailable(description: "the license service answered \(response.status.code) with a body it should not have")
            }
            return .accepted(value)
        case 400..<500 where response.status != .tooManyRequests && response.status != .requestTimeout:
            let problem =
                (try? Wire.makeDecoder().decode(Wire.Problem.self, from: data))
                ?? Wire.Problem(
                    code: "http_\(response.status.code)", title: response.status.reasonPhrase, status: Int(response.status.code))
            return .refused(problem)
        default:
            throw Unavailable(description: "the license service answered \(response.status.code)")
        }
    }
}
