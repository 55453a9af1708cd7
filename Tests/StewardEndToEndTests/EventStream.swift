import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StewardCore
import StewardTestSupport

/// A Server-Sent Events stream from the hub, read message by message.
struct EventStream {
    private var body: HTTPClientResponse.Body.AsyncIterator
    private var parser = ServerSentEventParser()
    private var ready: [ServerSentEvent] = []

    /// Opens `path`; returns once the hub answered, which means it has subscribed.
    init(_ api: HubAPI, _ path: String, lastEventID: String? = nil) async throws {
        var request = HTTPClientRequest(url: api.baseURL + path)
        request.headers.add(name: "Authorization", value: "Bearer \(api.token)")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        let response = try await api.http.execute(request, timeout: .seconds(120))
        guard response.status == .ok else { throw TestFailure("\(path) answered \(response.status)") }
        body = response.body.makeAsyncIterator()
    }

    /// The next message, or `nil` when the hub ended the stream.
    mutating func next() async throws -> ServerSentEvent? {
        while ready.isEmpty {
            guard let buffer = try await body.next() else { return nil }
            ready += parser.feed(buffer.readableBytesView)
        }
        return ready.removeFirst()
    }

    /// Messages until one satisfies `last` (included), failing after `timeout`.
    mutating func collect(
        until last: (ServerSentEvent) -> Bool, timeout: Duration = .seconds(30)
    ) async throws -> [ServerSentEvent] {
        var messages: [ServerSentEvent] = []
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let message = try await next() else { break }
            messages.append(message)
            if last(message) { return messages }
        }
        throw TestFailure("the stream ended or timed out before the expected message; got \(messages)")
    }
}
