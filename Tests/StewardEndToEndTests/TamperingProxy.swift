import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import StewardCore
import StewardTestSupport

/// A man in the middle between an agent and its hub: it forwards every request and lets a test
/// rewrite the job envelopes the hub hands out, or hand one out again.
final class TamperingProxy: Sendable {
    /// What to do with the next envelope the hub hands out.
    typealias Tamper = @Sendable (Wire.JobEnvelope) -> Wire.JobEnvelope

    private let plan = Plan()
    private let task: Task<Void, any Error>
    let url: String

    private actor Plan {
        var tamper: Tamper?
        /// Whether the next envelope from the hub is to be handed out twice.
        var replayNext = false
        /// Handed out instead of asking the hub, once.
        var replay: Wire.JobEnvelope?

        func set(_ tamper: Tamper?) { self.tamper = tamper }
        func setReplayNext() { replayNext = true }
        func seen(_ envelope: Wire.JobEnvelope) {
            if replayNext { replay = envelope }
            replayNext = false
        }
        func takeReplay() -> Wire.JobEnvelope? {
            defer { replay = nil }
            return replay
        }
    }

    init(hubURL: String) async throws {
        let plan = self.plan
        let router = Router()
        let forward: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
            if request.uri.path.hasSuffix("/agent/jobs/next"), let replay = await plan.takeReplay() {
                return try Self.json(replay)
            }
            var outgoing = HTTPClientRequest(url: hubURL + request.uri.description)
            outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
            for field in request.headers where field.name == .authorization || field.name == .contentType {
                outgoing.headers.add(name: field.name.rawName, value: field.value)
            }
            outgoing.body = .bytes(try await request.body.collect(upTo: 1 << 20))
            let answer = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(90))
            let body = try await answer.body.collect(upTo: 1 << 20)
            if request.uri.path.hasSuffix("/agent/jobs/next"), answer.status == .ok {
                let envelope = try Wire.makeDecoder().decode(Wire.JobEnvelope.self, from: Data(body.readableBytesView))
                await plan.seen(envelope)
                if let tamper = await plan.tamper { return try Self.json(tamper(envelope)) }
            }
            var headers = HTTPFields()
            if let type = answer.headers.first(name: "Content-Type") { headers[.contentType] = type }
            return Response(status: .init(code: Int(answer.status.code)), headers: headers, body: .init(byteBuffer: body))
        }
        for method in [HTTPRequest.Method.get, .post, .patch, .delete] {
            router.on("**", method: method, use: forward)
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "tampering-proxy", factory: { _ in SwiftLogNoOpLogHandler() }))
        task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestFailure("the tampering proxy did not start") }
        url = "http://127.0.0.1:\(port)"
    }

    func tamper(with tamper: Tamper?) async {
        await plan.set(tamper)
    }

    /// Hands the next envelope from the hub out once more, at the agent's following poll.
    func replayNextEnvelope() async {
        await plan.setReplayNext()
    }

    func stop() {
        task.cancel()
    }

    private static func json(_ envelope: Wire.JobEnvelope) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try Wire.makeEncoder().encode(envelope))))
    }
}
