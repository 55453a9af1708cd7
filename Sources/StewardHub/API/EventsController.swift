import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StewardCore

/// `GET /api/v1/events`: the tenant's job and server events as Server-Sent Events, optionally only
/// one server's, one job's, or some kinds (`?server=ID&job=ID&kind=job.finished,server.offline`).
struct EventsController<Context: OperatorContext> {
    let events: EventBus

    func addRoutes(to group: RouterGroup<Context>) {
        group.get(use: stream)
    }

    @Sendable func stream(request: Request, context: Context) async throws -> Response {
        let query = request.uri.queryParameters
        let serverID = query["server"].map(String.init)
        let jobID = query["job"].map(String.init)
        var kinds: Set<Wire.Event.Kind>?
        if let list = query["kind"] {
            var chosen: Set<Wire.Event.Kind> = []
            for name in list.split(separator: ",") {
                guard let kind = Wire.Event.Kind(rawValue: String(name)) else {
                    throw APIError(
                        .badRequest, code: "invalid_query",
                        detail: "kind must list event kinds among \(Wire.Event.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                chosen.insert(kind)
            }
            kinds = chosen
        }
        let tenantID = context.identity.tenantID
        let wanted = kinds
        let signals = await EventFeed.open(events)
        return Response(
            status: .ok, headers: ServerSentEvent.responseHeaders,
            body: .init { writer in
                try await writer.write(ByteBuffer(string: ServerSentEvent.keepAlive))
                let encoder = Wire.makeEncoder()
                for await signal in signals {
                    switch signal {
                    case .tick:
                        try await writer.write(ByteBuffer(string: ServerSentEvent.keepAlive))
                    case .event(let event):
                        guard event.tenantID == tenantID, serverID == nil || event.serverID == serverID,
                            jobID == nil || event.jobID == jobID, wanted?.contains(event.kind) ?? true
                        else { continue }
                        let data = String(decoding: try encoder.encode(event), as: UTF8.self)
                        try await writer.write(ByteBuffer(string: ServerSentEvent(event: event.kind.rawValue, data: data).encoded))
                    }
                }
                try await writer.finish(nil)
            })
    }
}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
    static let accelBuffering = Self("X-Accel-Buffering")!
}

extension ServerSentEvent {
    static let responseHeaders: HTTPFields = [
        .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store",
        // Tells proxies such as nginx not to hold the stream back in a buffer.
        .accelBuffering: "no",
    ]
}
