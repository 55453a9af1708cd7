import Foundation
import HTTPTypes
import Hummingbird
import StewardCore

/// A JSON body encoded with ``Wire/makeEncoder()``, so every answer uses the same keys and dates.
package struct JSONResponse: ResponseGenerator {
    var status: HTTPResponse.Status = .ok
    let body: Data

    package init(status: HTTPResponse.Status = .ok, _ value: some Encodable) throws {
        self.status = status
        self.body = try Wire.makeEncoder().encode(value)
    }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
