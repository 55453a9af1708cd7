import Foundation
import Hummingbird
import Logging
import NIOCore

/// `GET /metrics` for Prometheus on its own address (`--metrics-listen`), apart from the API and
/// the console: it has no authentication, so it belongs on loopback or a monitoring network.
struct MetricsEndpoint {
    let metrics: HubMetrics
    let store: Store
    let events: EventBus
    let clock: HubClock

    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    func application(host: String, port: Int, logger: Logger, onListening: @escaping @Sendable (Int) -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.get("metrics") { _, _ in
            let body = try await exposition()
            return Response(status: .ok, headers: [.contentType: Self.contentType], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        var metricsLogger = logger
        metricsLogger[metadataKey: "listener"] = "metrics"
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) }, logger: metricsLogger)
    }

    func exposition() async throws -> [UInt8] {
        let counts = try await store.fleetCounts(now: clock.now)
        return metrics.exposition(
            .init(
                jobsByStatus: counts.jobsByStatus, queueDepth: counts.due, agentsOnline: counts.online, serversEnrolled: counts.servers,
                sseClients: await events.subscriberCount))
    }
}
