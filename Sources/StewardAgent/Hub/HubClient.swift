import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StewardCore

/// The agent's side of the wire protocol, over the process's one `HTTPClient`.
public struct HubClient: Sendable {
    /// How a request to the hub failed.
    public enum Failure: Error, CustomStringConvertible, Sendable {
        /// The hub could not be reached or answered with a 5xx: worth retrying.
        case unavailable(String)
        /// The hub answered and said no (4xx); the problem says why.
        case refused(Wire.Problem)

        public var description: String {
            switch self {
            case .unavailable(let reason): "hub unavailable: \(reason)"
            case .refused(let problem): "hub refused (\(problem.status) \(problem.code)): \(problem.detail ?? problem.title)"
            }
        }
    }

    let httpClient: HTTPClient
    let baseURL: String
    var timeout: TimeAmount = .seconds(30)

    public init(httpClient: HTTPClient, baseURL: String) {
        self.httpClient = httpClient
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    public func register(_ request: Wire.Registration.Request) async throws(Failure) -> Wire.Registration.Response {
        try await post("/api/v1/agent/register", body: request, bearer: nil)
    }

    public func heartbeat(
        _ request: Wire.Heartbeat.Request, credential: Wire.AgentCredential
    ) async throws(Failure)
        -> Wire.Heartbeat.Response
    {
        try await post("/api/v1/agent/heartbeat", body: request, bearer: credential.bearerValue)
    }

    private func post<Body: Encodable, Answer: Decodable>(
        _ path: String, body: Body, bearer: String?
    ) async throws(Failure)
        -> Answer
    {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "steward-agent/\(StewardVersion.current)")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        let status: HTTPResponseStatus
        let data: Data
        do {
            request.body = .bytes(try Wire.makeEncoder().encode(body))
            let response = try await httpClient.execute(request, timeout: timeout)
            status = response.status
            data = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        } catch {
            throw .unavailable(Self.describe(error))
        }
        if status.code >= 500 || status == .tooManyRequests {
            throw .unavailable("HTTP \(status.code)")
        }
        guard (200..<300).contains(status.code) else {
            let problem =
                (try? Wire.makeDecoder().decode(Wire.Problem.self, from: data))
                ?? Wire.Problem(code: "http_\(status.code)", title: status.reasonPhrase, status: Int(status.code))
            throw .refused(problem)
        }
        do {
            return try Wire.makeDecoder().decode(Answer.self, from: data)
        } catch {
            throw .unavailable("the hub's answer to \(path) could not be read: \(error)")
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        return String(describing: error)
    }
}
