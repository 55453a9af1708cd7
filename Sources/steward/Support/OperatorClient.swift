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

    private func send(_ method: HTTPMethod, _ path: String, body: Data? = nil) async throws -> Data {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(apiToken)")
        request.headers.add(name: "User-Agent", value: "steward-cli/\(StewardVersion.current)")
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
        guard (200..<300).contains(response.status.code) else {
            if let problem = try? Wire.makeDecoder().decode(Wire.Problem.self, from: data) {
                var message = problem.detail ?? problem.title
                for error in problem.errors ?? [] where !message.contains(error.message) {
                    message += "\n  \(error.field): \(error.message)"
                }
                throw Failure(description: "\(message) (HTTP \(problem.status), \(problem.code))")
            }
            throw Failure(description: "the hub answered HTTP \(response.status.code)")
        }
        return data
    }

    private func decode<Answer: Decodable>(_ data: Data) throws -> Answer {
        if Answer.self == Empty.self { return Empty() as! Answer }
        return try Wire.makeDecoder().decode(Answer.self, from: data)
    }

    struct Empty: Decodable {}
}
