import OpenAPIKit
import StewardCore

/// One operation of the HTTP API as the OpenAPI document describes it: its route (as the router
/// names it), who may call it, its query, its body and its answers. ``APIOperations/all`` lists every
/// one; a test holds that list against the router's routes.
struct APIOperation {
    enum Caller {
        /// An operator's API token (`Authorization: Bearer stw_api_…`).
        case `operator`
        /// An enrolled agent's credentials (`Authorization: Bearer <agent id>:<secret>`).
        case agent
        case anyone
    }

    /// What a body is.
    enum Body {
        case json(JSONSchema)
        /// Another media type, e.g. `text/plain` or `application/x-tar`.
        case media(String)
        case none
    }

    struct Query {
        var name: String
        var schema: JSONSchema
        var description: String
    }

    var method: OpenAPI.HttpMethod
    var path: String
    var summary: String
    var caller: Caller
    var query: [Query] = []
    var request: Body = .none
    /// Whether the request body may be left out (an empty body counts as `{}`).
    var requestOptional = false
    var status: Int
    var response: Body
    /// Whether it may also answer `204` with no body (a long poll that nothing came to).
    var mayAnswerNoContent = false

    /// `"METHOD /path/{id}"`, as the router and ``RoutePermissions`` name a route.
    var route: String { "\(method.rawValue) \(path)" }
}

extension APIOperation.Body {
    /// A JSON body of a wire type, its schema read off the type (``SchemaReader``).
    static func json<T: Decodable>(_ type: T.Type) -> Self { .json(SchemaReader.schema(of: type)) }

    /// A list answer, `{"items": [...]}`.
    static func list<T: Codable & Sendable>(_ type: T.Type) -> Self { json(Wire.ItemList<T>.self) }
}

extension APIOperation.Query {
    static func query(_ name: String, _ schema: JSONSchema, _ description: String) -> Self {
        Self(name: name, schema: schema, description: description)
    }
}
