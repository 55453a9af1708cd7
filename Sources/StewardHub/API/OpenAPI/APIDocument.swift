import Foundation
import OpenAPIKit
import StewardCore

/// `GET /api/v1/openapi.json`: an OpenAPI 3.1 document of ``APIOperations/all``, built once.
/// Every operation answers errors as `application/problem+json` (``Wire/Problem``).
public enum APIDocument {
    static let document: OpenAPI.Document = build()

    /// The document as JSON, keys sorted so that it reads the same from one build to the next.
    public static let json: Data = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return (try? encoder.encode(document)) ?? Data("{}".utf8)
    }()

    static func build() -> OpenAPI.Document {
        let problem = JSONSchema.reference(.component(named: "Problem"))
        var paths: OrderedDictionary<OpenAPI.Path, OpenAPI.PathItem> = [:]
        for operation in APIOperations.all {
            let path = OpenAPI.Path(rawValue: operation.path)
            var item = paths[path] ?? OpenAPI.PathItem()
            item[operation.method] = self.operation(operation, problem: problem)
            paths[path] = item
        }
        return OpenAPI.Document(
            openAPIVersion: .v3_1_1,
            info: .init(
                title: "Steward hub API", description: "The HTTP API of a Steward hub: operators' routes, agents' routes, enrollment.",
                version: StewardVersion.current),
            servers: [],
            paths: paths.mapValues { .b($0) },
            components: .init(
                schemas: ["Problem": SchemaReader.schema(of: Wire.Problem.self)],
                securitySchemes: [
                    "operator": .b(.http(scheme: "bearer", bearerFormat: "stw_api_…", description: "An operator's API token")),
                    "agent": .b(.http(scheme: "bearer", bearerFormat: "<agent id>:<secret>", description: "An agent's credentials")),
                ]),
            security: [])
    }

    private static func operation(_ operation: APIOperation, problem: JSONSchema) -> OpenAPI.Operation {
        var parameters: OpenAPI.Parameter.Array = []
        for name in pathParameters(of: operation.path) {
            parameters.append(.b(OpenAPI.Parameter(name: name, context: .path(schema: .string(minLength: 1)), description: "an id")))
        }
        for query in operation.query {
            parameters.append(
                .b(OpenAPI.Parameter(name: query.name, context: .query(schema: query.schema), description: query.description)))
        }
        var responses: OpenAPI.Response.Map = [
            .status(code: operation.status): .b(response(operation.response, status: operation.status)),
            .default: .b(
                OpenAPI.Response(
                    description: "An error",
                    content: [Self.contentType("application/problem+json"): .b(.init(schema: problem, encoding: nil))])),
        ]
        if operation.mayAnswerNoContent {
            responses[.status(code: 204)] = .b(OpenAPI.Response(description: "Nothing came while the request waited"))
        }
        let security: [OpenAPI.SecurityRequirement]
        switch operation.caller {
        case .operator: security = [[.component(named: "operator"): []]]
        case .agent: security = [[.component(named: "agent"): []]]
        case .anyone: security = []
        }
        return OpenAPI.Operation(
            summary: operation.summary,
            operationId: operationID(operation),
            parameters: parameters,
            requestBody: requestBody(operation),
            responses: responses,
            security: security)
    }

    private static func requestBody(_ operation: APIOperation) -> OpenAPI.Request? {
        guard case .json(let schema) = operation.request else { return nil }
        return OpenAPI.Request(content: [.json: .b(.init(schema: schema, encoding: nil))], required: !operation.requestOptional)
    }

    private static func response(_ body: APIOperation.Body, status: Int) -> OpenAPI.Response {
        switch body {
        case .json(let schema): return OpenAPI.Response(description: "OK", content: [.json: .b(.init(schema: schema, encoding: nil))])
        case .media(let type):
            return OpenAPI.Response(description: "OK", content: [contentType(type): .b(.init(schema: JSONSchema.string, encoding: nil))])
        case .none: return OpenAPI.Response(description: status == 204 ? "Done; no content" : "OK")
        }
    }

    private static func contentType(_ name: String) -> OpenAPI.ContentType {
        OpenAPI.ContentType(rawValue: name) ?? .any
    }

    /// `{id}` and the like in a path, in order.
    static func pathParameters(of path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.map { String($0.dropFirst().dropLast()) }
    }

    /// `get_api_v1_servers_id_metrics`-like, unique per method and path.
    private static func operationID(_ operation: APIOperation) -> String {
        let words = operation.path.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        return ([operation.method.rawValue.lowercased()] + words).joined(separator: "_")
    }
}
