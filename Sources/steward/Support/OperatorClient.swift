import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StewardCore

/// The CLI's connection to the hub's operator API.
struct OperatorClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let baseURL: String
    let apiToken: String
    let httpClient: HTTPClient
    /// Sent as `X-Steward-Tenant`: a hub administrator acting in another tenant.
    var tenant: String?

    func get<Answer: Decodable>(_ path: String, as type: Answer.Type = Answer.self) async throws -> Answer {
        try decode(try await send(.GET, path))
    }

    func post<Answer: Decodable>(_ path: String, body: some Encodable, as type: Answer.Type = Answer.self) async throws -> Answer {
        try decode(try await send(.POST, path, body: try Wire.makeEncoder().encode(body)))
    }

    func patch<Answer: Decodable>(_ path: String, body: some Encodable, as type: Answer.Type = Answer.self) async throws -> Answer {
        try decode(try await send(.PATCH, path, body: try Wire.makeEncoder().encode(body)))
    }

    /// The raw body of a GET, for plain-text answers such as logs.
    func getData(_ path: String) async throws -> Data {
        try await send(.GET, path)
    }

    func delete(_ path: String) async throws {
        _ = try await send(.DELETE, path)
    }

    /// A DELETE with a JSON body, such as a confirmation.
    func delete(_ path: String, body: some Encodable) async throws {
        _ = try await send(.DELETE, path, body: try Wire.makeEncoder().encode(body))
    }

    /// Reads a Server-Sent Events stream, handing each message to `onEvent` until it returns `false`
    /// (then `true` is returned) or the hub ends the stream (`false`: the caller may reconnect).
    func stream(_ path: String, lastEventID: String?, onEvent: (ServerSentEvent) async throws -> Bool) async throws -> Bool {
        var request = HTTPClientRequest(url: baseURL + path)
        request.headers.add(name: "Authorization", value: "Bearer \(apiToken)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let tenant { request.headers.add(name: "X-Steward-Tenant", value: tenant) }
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: .hours(24))
        } catch {
            throw Failure(description: "cannot reach the hub at \(baseURL): \(error)")
        }
        guard response.status == .ok else {
            throw Self.failure(status: response.status, body: Data(try await response.body.collect(upTo: 1 << 20).readableBytesView))
        }
        var parser = ServerSentEventParser()
        do {
            for try await buffer in response.body {
                for message in parser.feed(buffer.readableBytesView) where try await !onEvent(message) { return true }
            }
        } catch let error as Failure {
            throw error
        } catch {
            // The connection dropped (the hub restarted, a proxy timed out): the caller reconnects.
        }
        return false
    }

    private func send(_ method: HTTPMethod, _ path: String, body: Data? = nil) async throws -> Data {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(apiToken)")
        request.headers.add(name: "User-Agent", value: "steward-cli/\(StewardVersion.current)")
        if let tenant { request.headers.add(name: "X-Steward-Tenant", value: tenant) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: .seconds(30))
        } catch {
            throw Failure(description: "cannot reach the hub at \(baseURL): \(error)")
        }
        let data = Data(try await response.body.collect(upTo: 16 << 20).readableBytesView)
        guard (200..<300).contains(response.status.code) else { throw Self.failure(status: response.status, body: data) }
        return data
    }

    /// The hub's problem document as one message with every field error.
    private static func failure(status: HTTPResponseStatus, body: Data) -> Failure {
        guard let problem = try? Wire.makeDecoder().decode(Wire.Problem.self, from: body) else {
            return Failure(description: "the hub answered HTTP \(status.code)")
        }
        var message = problem.detail ?? problem.title
        for error in problem.errors ?? [] where !message.contains(error.message) {
            message += "\n  \(error.field): \(error.message)"
        }
        return Failure(description: "\(message) (HTTP \(problem.status), \(problem.code))")
    }

    private func decode<Answer: Decodable>(_ data: Data) throws -> Answer {
        if Answer.self == Empty.self { return Empty() as! Answer }
        return try Wire.makeDecoder().decode(Answer.self, from: data)
    }

    struct Empty: Decodable {}
}
