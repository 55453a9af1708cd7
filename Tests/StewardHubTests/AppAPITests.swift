import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// The catalog API: listing and searching apps, the install form schema, and input validation.
struct AppAPITests {
    @Test("apps are listed by id, searchable by text and filterable by category")
    func list() async throws {
        try await HubTestApp.run { client in
            let all = try await client.send(.get, "/api/v1/apps").decode(Wire.ItemList<Wire.App.Summary>.self)
            #expect(all.items.map(\.id) == ["nginx", "webapp"])
            let searched = try await client.send(.get, "/api/v1/apps?q=EVERY%20input").decode(Wire.ItemList<Wire.App.Summary>.self)
            #expect(searched.items.map(\.id) == ["webapp"])
            let category = try await client.send(.get, "/api/v1/apps?category=web-servers").decode(Wire.ItemList<Wire.App.Summary>.self)
            #expect(category.items.count == 2)
            let none = try await client.send(.get, "/api/v1/apps?category=databases").decode(Wire.ItemList<Wire.App.Summary>.self)
            #expect(none.items.isEmpty)
            #expect(try await client.send(.get, "/api/v1/apps", bearer: nil).status == .unauthorized)
        }
    }

    @Test("an app's detail is its form schema, without script contents or password defaults")
    func detail() async throws {
        try await HubTestApp.run { client in
            let answer = try await client.send(.get, "/api/v1/apps/webapp")
            #expect(answer.status == .ok)
            let app = try answer.decode(Wire.App.Detail.self)
            #expect(app.scripts == ["install", "uninstall", "health"])
            #expect(!answer.text.contains("exit 0"))
            let port = try #require(app.inputs.first { $0.name == "https_port" })
            #expect(port.type == "port")
            #expect(port.default == "443")
            #expect(port.visibleIf == ["enable_ssl": ["true"]])
            let size = try #require(app.inputs.first { $0.name == "size" })
            #expect(size.options == [.init(value: "small", label: "small"), .init(value: "large", label: "Large (8 GB)")])
            let password = try #require(app.inputs.first { $0.name == "admin_password" })
            #expect(password.generateLength == 24)
            #expect(password.default == nil)
            #expect(app.inputs.first { $0.name == "workers" }?.rules.max == 64)
            #expect(app.osRequirements == .init(family: ["debian", "ubuntu"], minVersion: "11"))
            let missing = try await client.send(.get, "/api/v1/apps/nothing")
            #expect(missing.status == .notFound)
            #expect(missing.problem?.detail == "no app with id nothing")
        }
    }

    @Test("validation returns normalised values with secrets masked, or every field error")
    func validate() async throws {
        try await HubTestApp.run { client in
            let good = try await client.send(
                .post, "/api/v1/apps/webapp/validate",
                json: #"{"inputs": {"server_name": "Example.COM", "acme_email": "ops@example.com", "workers": 8, "api_key": "s3cret"}}"#)
            #expect(good.status == .ok, "\(good.text)")
            let values = try good.decode(Wire.App.ValidateResponse.self)
            #expect(values.values["server_name"] == "example.com")
            #expect(values.values["workers"] == "8")
            #expect(values.values["admin_password"] == "****")
            #expect(values.values["api_key"] == "****")
            #expect(values.generated == ["admin_password"])
            #expect(!good.text.contains("s3cret"))

            let bad = try await client.send(
                .post, "/api/v1/apps/webapp/validate",
                json: #"{"inputs": {"server_name": "bad name", "https_port": 0, "colour": "red"}}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["server_name", "https_port", "acme_email", "colour"])

            let wrongShape = try await client.send(.post, "/api/v1/apps/webapp/validate", json: #"{"inputs": ["a"]}"#)
            #expect(wrongShape.status == .unprocessableContent)
            #expect(wrongShape.problem?.errors?.first?.field == "inputs")
            let nested = try await client.send(.post, "/api/v1/apps/webapp/validate", json: #"{"inputs": {"workers": {"n": 1}}}"#)
            #expect(nested.status == .unprocessableContent)
            #expect(try await client.send(.post, "/api/v1/apps/webapp/validate", json: "{").status == .badRequest)
            #expect(try await client.send(.post, "/api/v1/apps/ghost/validate", json: #"{"inputs": {}}"#).status == .notFound)
        }
    }

    @Test("a broken catalog stops the hub with every problem, unless invalid apps may be skipped")
    func brokenCatalog() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let catalogs = [
            Fixtures.validCatalog, Fixtures.brokenManifests + "/select-without-options", Fixtures.brokenManifests + "/timeout-too-small",
        ]
        let configuration = HubConfiguration(dataDirectory: directory.path, catalogDirectories: catalogs)
        do {
            _ = try await buildHubApplication(configuration: configuration, logger: TestDatabase.logger)
            Issue.record("the hub started with a broken catalog")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("2 problems"))
            #expect(error.description.contains("inputs[0].options: a select input needs at least one option"))
            #expect(error.description.contains("timeout_seconds: must be between 1 and 86400"))
        }

        var skipping = configuration
        skipping.skipInvalidApps = true
        skipping.bootstrap = .init(apiToken: HubTestApp.ownerToken)
        let app = try await buildHubApplication(configuration: skipping, logger: TestDatabase.logger)
        try await app.test(.router) { client in
            let answer = try await HubTestApp.Client(client: client).send(.get, "/api/v1/apps")
            #expect(try answer.decode(Wire.ItemList<Wire.App.Summary>.self).items.map(\.id) == ["nginx", "webapp"])
        }
    }
}
