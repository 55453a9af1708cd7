import Hummingbird
import NIOCore

/// `GET /api/v1/openapi.json`: the API described (``APIDocument``), for anyone: it holds no data.
struct OpenAPIController {
    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(bytes: APIDocument.json)))
        }
    }
}
