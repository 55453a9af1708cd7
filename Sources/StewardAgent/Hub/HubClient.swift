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

        /// Whether the hub said this agent's credentials are no longer accepted (revoked or unknown).
        public var revokesCredentials: Bool {
            guard case .refused(let problem) = self else { return false }
            return ["agent_revoked", "agent_credentials_invalid"].contains(problem.code)
        }

        public var description: String {
            switch self {
            case .unavailable(let reason): "hub unavailable: \(reason)"
            case .refused(let problem): "hub refused (\(problem.status) \(problem.code)): \(problem.detail ?? problem.title)"
            }
        }
    }

    /// How the agent's `HTTPClient` should be set up. A hub that is down fails a request at once
    /// (connection refused) instead of after the client's own connect retries: the agent has its own
    /// backoff, and a stalled request would hold a finished job's result back from the journal.
    public static var httpClientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        // An idle agent's long polls carry its heartbeats over one kept-alive connection; a second one,
        // opened for a metrics report sent while a poll is held, is closed soon after instead of being
        // kept for a minute, so that a hub's open connections stay near one per agent.
        configuration.connectionPool.idleTimeout = .seconds(2)
        return configuration
    }

    let httpClient: HTTPClient
    /// Where requests go: the current one of the agent's hubs.
    let endpoints: HubEndpoints
    var timeout: TimeAmount = .seconds(30)

    public init(httpClient: HTTPClient, endpoints: HubEndpoints) {
        self.httpClient = httpClient
        self.endpoints = endpoints
    }

    /// A client of one hub.
    public init(httpClient: HTTPClient, baseURL: String) {
        self.init(httpClient: httpClient, endpoints: HubEndpoints([baseURL]))
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

    /// Long-polls for the next job; `nil` when none came within `wait` seconds. The poll carries
    /// `heartbeat`, which the hub takes before it waits. `runID` is the run of this agent's process
    /// its hello named.
    public func nextJob(
        credential: Wire.AgentCredential, heartbeat: Wire.Heartbeat.Request, wait: Int, concurrency: Int = 1, runID: String? = nil
    ) async throws(Failure) -> Wire.JobEnvelope? {
        let run = runID.map { "&run_id=\($0)" } ?? ""
        let data = try await send(
            "/api/v1/agent/jobs/next?wait=\(wait)&concurrency=\(concurrency)\(run)", body: try encode(heartbeat),
            bearer: credential.bearerValue, timeout: .seconds(Int64(wait) + 15))
        guard let data else { return nil }
        do {
            return try Wire.makeDecoder().decode(Wire.JobEnvelope.self, from: data)
        } catch {
            throw .unavailable("the hub's job envelope could not be read: \(error)")
        }
    }

    public func sendLogs(jobID: String, _ batch: Wire.Job.LogBatch, credential: Wire.AgentCredential) async throws(Failure) {
        _ = try await send("/api/v1/agent/jobs/\(jobID)/logs", body: try encode(batch), bearer: credential.bearerValue, timeout: timeout)
    }

    public func sendResult(jobID: String, _ result: Wire.Job.Result, credential: Wire.AgentCredential) async throws(Failure) {
        _ = try await send("/api/v1/agent/jobs/\(jobID)/result", body: try encode(result), bearer: credential.bearerValue, timeout: timeout)
    }

    public func sendMetrics(_ report: Wire.Metrics.Report, credential: Wire.AgentCredential) async throws(Failure) {
        _ = try await send("/api/v1/agent/metrics", body: try encode(report), bearer: credential.bearerValue, timeout: timeout)
    }

    /// Sends a container report; the hub's answer says how many log lines of each container the
    /// next should bring (`nil` from a hub that answers 204, which wants none).
    public func sendContainers(
        _ report: Wire.Containers.Report, credential: Wire.AgentCredential
    ) async throws(Failure) -> Wire.Containers.ReportAnswer? {
        let data = try await send("/api/v1/agent/containers", body: try encode(report), bearer: credential.bearerValue, timeout: timeout)
        return data.flatMap { try? Wire.makeDecoder().decode(Wire.Containers.ReportAnswer.self, from: $0) }
    }

    private func encode(_ value: some Encodable) throws(Failure) -> Data {
        do { return try Wire.makeEncoder().encode(value) } catch { throw .unavailable("cannot encode the request: \(error)") }
    }

    private func post<Answer: Decodable>(_ path: String, body: some Encodable, bearer: String?) async throws(Failure) -> Answer {
        guard let data = try await send(path, body: try encode(body), bearer: bearer, timeout: timeout) else {
            throw .unavailable("the hub's answer to \(path) was empty")
        }
        do {
            return try Wire.makeDecoder().decode(Answer.self, from: data)
        } catch {
            throw .unavailable("the hub's answer to \(path) could not be read: \(error)")
        }
    }

    /// POSTs `body` to the current hub; the answer's body, or `nil` for 204. 5xx and 429 are
    /// `unavailable`, other 4xx `refused`. A hub that cannot be reached or answers 5xx is left for
    /// the next of ``endpoints``.
    private func send(_ path: String, body: Data, bearer: String?, timeout: TimeAmount) async throws(Failure) -> Data? {
        let hub = endpoints.current
        var request = HTTPClientRequest(url: hub + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "steward-agent/\(StewardVersion.current)")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        request.body = .bytes(body)
        let status: HTTPResponseStatus
        let data: Data
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            status = response.status
            data = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        } catch {
            let reason = Self.describe(error)
            endpoints.failed(hub, reason: reason)
            throw .unavailable(reason)
        }
        if status.code >= 500 {
            endpoints.failed(hub, reason: "HTTP \(status.code)")
            throw .unavailable("HTTP \(status.code)")
        }
        if status == .tooManyRequests {
            throw .unavailable("HTTP \(status.code)")
        }
        guard (200..<300).contains(status.code) else {
            let problem =
                (try? Wire.makeDecoder().decode(Wire.Problem.self, from: data))
                ?? Wire.Problem(code: "http_\(status.code)", title: status.reasonPhrase, status: Int(status.code))
            // Only the hub the agent enrolled with (the first) may say it does not know the agent: a
            // failover hub that does not is not on the same database, and is left for the next one,
            // rather than stop the agent for good while its own hub is away.
            if problem.code == "agent_credentials_invalid", hub != endpoints.urls.first {
                endpoints.failed(hub, reason: "it does not know this agent")
                throw .unavailable("\(hub) does not know this agent")
            }
            throw .refused(problem)
        }
        return status == .noContent ? nil : data
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        return String(describing: error)
    }
}
