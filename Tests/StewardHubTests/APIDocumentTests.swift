import Foundation
import HTTPTypes
import OpenAPIKit
import StewardCore
import StewardHub
import StewardTestSupport
import Synchronization
import Testing

/// `GET /api/v1/openapi.json` against the router and the answers the hub really gives.
struct APIDocumentTests {
    static var document: [String: Any] {
        (try? JSONSerialization.jsonObject(with: APIDocument.json)) as? [String: Any] ?? [:]
    }

    /// `"METHOD /path"` for every operation of the document.
    static var documentedRoutes: Set<String> {
        var routes: Set<String> = []
        for (path, item) in document["paths"] as? [String: [String: Any]] ?? [:] {
            for method in ["get", "put", "post", "patch", "delete"] where item[method] != nil {
                routes.insert("\(method.uppercased()) \(path)")
            }
        }
        return routes
    }

    @Test("the document describes exactly the router's API routes, no more, no fewer")
    func routesMatch() async throws {
        let routes = Mutex<[String]>([])
        let keepRoutes: ([String]) -> Void = { found in routes.withLock { $0 = found } }
        try await HubTestApp.run(onRoutes: keepRoutes) { client in
            let api = Set(
                routes.withLock { $0 }.filter {
                    let path = $0.split(separator: " ")[1]
                    return path.hasPrefix("/api/v1/") || path == "/install.sh" || path.hasPrefix("/downloads/")
                })
            #expect(api.count > 100)
            let documented = Self.documentedRoutes
            for route in api.subtracting(documented).sorted() { Issue.record("\(route) is a route the document does not describe") }
            for route in documented.subtracting(api).sorted() { Issue.record("\(route) is described but is no route") }

            let served = try await client.send(.get, "/api/v1/openapi.json", bearer: nil)
            #expect(served.status == .ok)
            #expect(served.headers[.contentType] == "application/json")
            #expect(served.body == APIDocument.json)
        }
    }

    @Test("the document is OpenAPI 3.1 that OpenAPIKit reads back and finds valid")
    func valid() throws {
        #expect(Self.document["openapi"] as? String == "3.1.1")
        let decoded = try JSONDecoder().decode(OpenAPI.Document.self, from: APIDocument.json)
        try decoded.validate()
        #expect(decoded.paths.count > 70)
    }

    @Test("every JSON body has a schema read off its type: no property whose shape is unknown")
    func schemasRead() throws {
        var unknown: [String] = []
        func visit(_ schema: Any, at place: String) {
            guard let schema = schema as? [String: Any] else { return }
            let shaping = ["type", "$ref", "oneOf", "anyOf", "allOf", "enum", "const"]
            if !shaping.contains(where: { schema[$0] != nil }) { unknown.append(place) }
            for (name, property) in schema["properties"] as? [String: Any] ?? [:] { visit(property, at: "\(place).\(name)") }
            if let items = schema["items"] { visit(items, at: "\(place)[]") }
            if let values = schema["additionalProperties"], !(values is Bool) { visit(values, at: "\(place){}") }
        }
        for (path, item) in Self.document["paths"] as? [String: [String: Any]] ?? [:] {
            for (method, operation) in item {
                guard let operation = operation as? [String: Any] else { continue }
                let request = ((operation["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"]
                if let schema = (request as? [String: Any])?["schema"] { visit(schema, at: "\(method) \(path) request") }
                for (status, response) in operation["responses"] as? [String: Any] ?? [:] {
                    let content = ((response as? [String: Any])?["content"] as? [String: Any])?["application/json"]
                    if let schema = (content as? [String: Any])?["schema"] { visit(schema, at: "\(method) \(path) \(status)") }
                }
            }
        }
        #expect(unknown.isEmpty, "\(unknown.sorted().joined(separator: "\n"))")
    }

    @Test("real answers match their schemas: required fields present, every value of its type")
    func answersMatch() async throws {
        try await HubTestApp.run { client in
            let token = try await client.createToken(.init(description: "schema", labels: ["env": "test"]))
            let agent = try await client.enroll(token: token.token)
            let job = try await client.send(
                .post, "/api/v1/jobs",
                json: #"{"server_id": "\#(agent.serverID)", "steps": [{"type": "file.read", "path": "/etc/hostname"}]}"#)
            #expect(job.status == .accepted, "\(job.text)")
            let jobID = try job.decode(Wire.Job.Info.self).id
            let checks: [(HTTPRequest.Method, String, String, Int)] = [
                (.get, "/api/v1/health", "/api/v1/health", 200),
                (.get, "/api/v1/servers", "/api/v1/servers", 200),
                (.get, "/api/v1/servers/\(agent.serverID)", "/api/v1/servers/{id}", 200),
                (.get, "/api/v1/registration-tokens", "/api/v1/registration-tokens", 200),
                (.get, "/api/v1/jobs", "/api/v1/jobs", 200),
                (.get, "/api/v1/jobs/\(jobID)", "/api/v1/jobs/{id}", 200),
                (.get, "/api/v1/apps", "/api/v1/apps", 200),
                (.get, "/api/v1/audit", "/api/v1/audit", 200),
                (.get, "/api/v1/users", "/api/v1/users", 200),
                (.get, "/api/v1/tenants", "/api/v1/tenants", 200),
                (.get, "/api/v1/servers/nope", "/api/v1/servers/{id}", 404),
            ]
            for (method, uri, path, status) in checks {
                let answer = try await client.send(method, uri)
                #expect(answer.status.code == status, "\(uri): \(answer.text)")
                let value = try JSONDecoder().decode(JSONValue.self, from: answer.body)
                let schema = try #require(Self.responseSchema(method, path, status: status), "\(method) \(path) \(status)")
                #expect(Self.problems(value, schema, at: uri).isEmpty, "\(Self.problems(value, schema, at: uri))")
            }
            // The check itself finds what it should: a server without its id, a status it cannot have.
            let server = try JSONDecoder().decode(
                JSONValue.self, from: try await client.send(.get, "/api/v1/servers/\(agent.serverID)").body)
            let schema = try #require(Self.responseSchema(.get, "/api/v1/servers/{id}", status: 200))
            guard case .object(var fields) = server else { throw TestFailure("not an object") }
            fields["id"] = nil
            fields["status"] = .string("sleeping")
            #expect(Set(Self.problems(.object(fields), schema, at: "server")).isSuperset(of: ["server: no id"]))
            #expect(Self.problems(.object(fields), schema, at: "server").contains { $0.hasPrefix("server.status: sleeping is not one of") })
        }
    }

    static func responseSchema(_ method: HTTPRequest.Method, _ path: String, status: Int) -> [String: Any]? {
        let operation = ((document["paths"] as? [String: Any])?[path] as? [String: Any])?[method.rawValue.lowercased()] as? [String: Any]
        let responses = operation?["responses"] as? [String: Any]
        let response = (responses?[String(status)] ?? responses?["default"]) as? [String: Any]
        let content = response?["content"] as? [String: Any]
        let media = (content?["application/json"] ?? content?["application/problem+json"]) as? [String: Any]
        return media?["schema"] as? [String: Any]
    }

    /// Where `value` breaks `schema`: a small JSON Schema check of types, required properties,
    /// enums and items, following the document's `$ref`s.
    static func problems(_ value: JSONValue, _ schema: [String: Any], at place: String) -> [String] {
        if let reference = schema["$ref"] as? String, let name = reference.split(separator: "/").last,
            let target = ((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?[String(name)] as? [String: Any]
        {
            return problems(value, target, at: place)
        }
        var found: [String] = []
        let types: [String] = (schema["type"] as? [String]) ?? (schema["type"] as? String).map { [$0] } ?? []
        // An integer is a number too.
        if !types.isEmpty, !types.contains(value.type), !(value.type == "integer" && types.contains("number")) {
            found.append("\(place): \(value) is not \(types)")
        }
        if let allowed = schema["enum"] as? [Any], case .string(let text) = value, !allowed.contains(where: { ($0 as? String) == text }) {
            found.append("\(place): \(text) is not one of \(allowed)")
        }
        if case .object(let object) = value {
            for name in schema["required"] as? [String] ?? [] where object[name] == nil { found.append("\(place): no \(name)") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (name, property) in object {
                if let declared = properties[name] as? [String: Any] {
                    found += problems(property, declared, at: "\(place).\(name)")
                } else if let values = schema["additionalProperties"] as? [String: Any] {
                    found += problems(property, values, at: "\(place).\(name)")
                }
            }
        }
        if case .array(let array) = value, let items = schema["items"] as? [String: Any] {
            for (index, item) in array.enumerated() { found += problems(item, items, at: "\(place)[\(index)]") }
        }
        return found
    }
}

/// Any JSON value, decoded strictly: `true` is no number and `1.5` no integer.
enum JSONValue: Decodable, CustomStringConvertible {
    case null
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .boolean(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Its JSON Schema type name.
    var type: String {
        switch self {
        case .null: "null"
        case .boolean: "boolean"
        case .integer: "integer"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    var description: String {
        switch self {
        case .string(let text): "\"\(text)\""
        case .array(let items): "[\(items.count) items]"
        case .object(let object): "{\(object.keys.sorted().joined(separator: ", "))}"
        case .integer(let value): "\(value)"
        case .number(let value): "\(value)"
        case .boolean(let value): "\(value)"
        case .null: "null"
        }
    }
}
