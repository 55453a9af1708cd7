import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StewardCore

/// The Docker Engine API over its unix socket: containers, their details and stats, the event
/// stream, and the actions of `container` job steps. Bodies are bounded; nothing is sent anywhere
/// but the socket.
struct DockerClient: Sendable {
    let http: HTTPClient
    var socketPath = "/var/run/docker.sock"
    static let timeout: TimeAmount = .seconds(20)

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var available: Bool { FileManager.default.fileExists(atPath: socketPath) }

    private var base: String {
        "http+unix://" + (socketPath.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socketPath)
    }

    /// `GET` (or another method) of `path`; the body, at most `limit` bytes. A status of 400 or more fails.
    func request(_ method: HTTPMethod = .GET, _ path: String, limit: Int = 4 << 20, timeout: TimeAmount = timeout) async throws -> Data {
        let response = try await http.execute(Self.request(method, base + path), timeout: timeout)
        let body = try await response.body.collect(upTo: limit)
        guard response.status.code < 400 else {
            let message = (try? JSONDecoder().decode(Message.self, from: Data(body.readableBytesView)))?.message
            let reason = message ?? String(buffer: body).prefix(300).description
            throw Failure(description: "Docker answered \(response.status.code): \(reason)")
        }
        return Data(body.readableBytesView)
    }

    /// Docker refuses HTTP/1.1 requests without a `Host`; over a unix socket there is no host to name.
    private static func request(_ method: HTTPMethod, _ url: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Host", value: "docker")
        return request
    }

    struct Message: Decodable {
        var message: String
    }

    // MARK: What `GET /containers/json`, `/containers/{id}/json` and `/stats` answer (the parts used)

    struct Summary: Decodable {
        var Id: String
        var Names: [String]?
        var Image: String?
        var State: String?
        var Status: String?
        var Ports: [Port]?
        var Created: Int64?

        struct Port: Decodable {
            var IP: String?
            var PrivatePort: Int?
            var PublicPort: Int?
            var `Type`: String?
        }
    }

    struct Details: Decodable {
        var State: State?
        var RestartCount: Int?
        var Config: Config?

        struct State: Decodable {
            var ExitCode: Int?
            var OOMKilled: Bool?
            var StartedAt: String?
            var Health: Health?
        }

        struct Health: Decodable {
            var Status: String?
        }

        struct Config: Decodable {
            var Env: [String]?
        }
    }

    struct Stats: Decodable {
        var cpu_stats: CPU?
        var memory_stats: Memory?

        struct CPU: Decodable {
            var cpu_usage: Usage?
            var system_cpu_usage: Double?
            var online_cpus: Double?
        }

        struct Usage: Decodable {
            var total_usage: Double?
        }

        struct Memory: Decodable {
            var usage: Int64?
            var limit: Int64?
        }
    }

    func containers() async throws -> [Summary] {
        try JSONDecoder().decode([Summary].self, from: try await request(.GET, "/containers/json?all=1"))
    }

    func details(_ id: String) async throws -> Details {
        try JSONDecoder().decode(Details.self, from: try await request(.GET, "/containers/\(id)/json"))
    }

    func stats(_ id: String) async throws -> Stats {
        try JSONDecoder().decode(Stats.self, from: try await request(.GET, "/containers/\(id)/stats?stream=false&one-shot=true"))
    }

    /// Docker's event stream for containers, one decoded event at a time, until it ends or fails.
    func events(_ handle: @Sendable (Wire.Containers.Event) async -> Void) async throws {
        let filters = #"{"type":["container"],"event":["die","oom","restart","health_status"]}"#
        let query = filters.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let response = try await http.execute(Self.request(.GET, base + "/events?filters=" + query), deadline: .distantFuture)
        guard response.status == .ok else { throw Failure(description: "Docker's event stream answered \(response.status.code)") }
        var pending = Data()
        for try await chunk in response.body {
            pending.append(contentsOf: chunk.readableBytesView)
            // One JSON object per line; a line longer than 64 KiB is not an event we want.
            if pending.count > 64 << 10, !pending.contains(0x0A) { pending.removeAll() }
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = pending[pending.startIndex..<newline]
                pending.removeSubrange(pending.startIndex...newline)
                if let event = Self.event(from: Data(line)) { await handle(event) }
            }
        }
    }

    struct RawEvent: Decodable {
        var Action: String?
        var Actor: Actor?
        var time: Int64?
        var timeNano: Int64?

        struct Actor: Decodable {
            var ID: String?
            var Attributes: [String: String]?
        }
    }

    static func event(from line: Data) -> Wire.Containers.Event? {
        guard let raw = try? JSONDecoder().decode(RawEvent.self, from: line), let action = raw.Action, let id = raw.Actor?.ID else {
            return nil
        }
        let attributes = raw.Actor?.Attributes ?? [:]
        let at = raw.timeNano.map { Date(timeIntervalSince1970: Double($0) / 1e9) } ?? Date(timeIntervalSince1970: Double(raw.time ?? 0))
        // `health_status: unhealthy` carries the new health in the action itself.
        let parts = action.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let kind = parts.first, ["die", "oom", "restart", "health_status"].contains(kind) else { return nil }
        return Wire.Containers.Event(
            at: at, containerID: String(id.prefix(64)), name: String((attributes["name"] ?? id).prefix(128)), action: kind,
            exitCode: attributes["exitCode"].flatMap { Int($0) }, health: kind == "health_status" ? parts.dropFirst().first : nil)
    }

    /// A container's log as Docker sends it: without a TTY, frames of an 8-byte header (stream,
    /// three zero bytes, big-endian length) and their bytes; with a TTY, the bytes as they are.
    static func demultiplexed(_ data: Data) -> Data {
        let bytes = [UInt8](data)
        var output = Data()
        var offset = 0
        while offset + 8 <= bytes.count {
            let header = bytes[offset..<offset + 8]
            guard [0, 1, 2].contains(header[offset]), header[offset + 1] == 0, header[offset + 2] == 0, header[offset + 3] == 0 else {
                return offset == 0 ? data : output
            }
            let length = header[(offset + 4)...].reduce(0) { $0 << 8 | Int($1) }
            let start = offset + 8
            let end = min(bytes.count, start + length)
            output.append(contentsOf: bytes[start..<end])
            offset = end
        }
        return offset == 0 ? data : output
    }

    /// `2026-12-02T18:00:00.123456789Z` (Docker's RFC 3339 with nanoseconds); `nil` for Docker's "never".
    static func date(_ text: String?) -> Date? {
        guard let text, !text.hasPrefix("0001-") else { return nil }
        let seconds = text.split(separator: ".", maxSplits: 1).first.map(String.init) ?? text
        return try? Date(seconds.hasSuffix("Z") ? seconds : seconds + "Z", strategy: .iso8601)
    }
}
