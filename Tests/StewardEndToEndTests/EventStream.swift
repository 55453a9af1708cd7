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

    /// The next message, or `nil` when the hub ended the stream. Past `deadline` it throws; since the
    /// hub sends a keep-alive comment every 15 s, that is noticed within 15 s.
    mutating func next(deadline: ContinuousClock.Instant = .now + .seconds(60)) async throws -> ServerSentEvent? {
        while ready.isEmpty {
            guard ContinuousClock.now < deadline else { throw TestFailure("no message in time") }
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
        do {
            while let message = try await next(deadline: deadline) {
                messages.append(message)
                if last(message) { return messages }
            }
        } catch let failure as TestFailure {
            throw TestFailure("\(failure): got \(messages)")
        }
        throw TestFailure("the stream ended before the expected message; got \(messages)")
    }
}
