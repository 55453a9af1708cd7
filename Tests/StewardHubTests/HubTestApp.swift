import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// A hub built exactly as `steward hub` builds it, on a fresh SQLite file, driven through the router.
struct HubTestApp {
    static let ownerToken = "stw_api_test-owner-token-0123456789abcdef"

    /// Runs `body` against a fresh hub. `registrationsPerMinute` is low in the rate-limit test only.
    static func run(
        database: TestDatabase = .sqlite,
        registrationsPerMinute: Int = 1000,
        catalogDirectories: [String] = [Fixtures.validCatalog],
        clock: HubClock = .system,
        smtp: SMTPSettings? = nil,
        alerting: AlertingSettings = .init(),
        agentBinaries: String? = nil,
        license: LicenseSettings? = nil,
        onRoutes: ([String]) -> Void = { _ in },
        _ body: @Sendable (Client) async throws -> Void
    ) async throws {
        try await database.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let configuration = HubConfiguration(
                dataDirectory: directory.path, database: location, heartbeatInterval: 15,
                registrationsPerMinute: registrationsPerMinute, catalogDirectories: catalogDirectories, clock: clock, smtp: smtp,
                alerting: alerting, agentBinaries: agentBinaries, license: license,
                bootstrap: .init(apiToken: ownerToken, password: "correct horse battery staple", email: "owner@example.com"))
            let app = try await buildHubApplication(configuration: configuration, logger: TestDatabase.logger, onRoutes: onRoutes)
            try await app.test(.router) { client in
                try await body(Client(client: client))
            }
        }
    }

    /// Requests with JSON bodies and the owner's token unless told otherwise.
    struct Client: Sendable {
        let client: any TestClientProtocol

        struct Answer {
            var status: HTTPResponse.Status
            var headers: HTTPFields
            var body: Data

            var text: String { String(decoding: body, as: UTF8.self) }

            func decode<T: Decodable>(_ type: T.Type) throws -> T {
                try Wire.makeDecoder().decode(type, from: body)
            }

            var problem: Wire.Problem? { try? decode(Wire.Problem.self) }
        }

        func send(
            _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, bearer: String? = HubTestApp.ownerToken,
            headers extra: HTTPFields = [:]
        ) async throws -> Answer {
            var headers = extra
            if let bearer { headers[.authorization] = "Bearer \(bearer)" }
            if json != nil { headers[.contentType] = "application/json" }
            return try await client.execute(
                uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }
            ) { response in
                Answer(status: response.status, headers: response.headers, body: Data(response.body.readableBytesView))
            }
        }

        func send(
            _ method: HTTPRequest.Method, _ uri: String, body: some Encodable, bearer: String? = HubTestApp.ownerToken
        )
            async throws -> Answer
        {
            let json = String(decoding: try Wire.makeEncoder().encode(body), as: UTF8.self)
            return try await send(method, uri, json: json, bearer: bearer)
        }

        /// Creates a registration token and returns its value and id.
        func createToken(_ request: Wire.RegistrationToken.CreateRequest = .init()) async throws -> Wire.RegistrationToken.Created {
            let answer = try await send(.post, "/api/v1/registration-tokens", body: request)
            #expect(answer.status == .created, "\(answer.text)")
            return try answer.decode(Wire.RegistrationToken.Created.self)
        }

        /// Enrolls an agent with `token` and returns its credentials.
        func enroll(token: String, hostname: String = "web-1") async throws -> Wire.Registration.Response {
            let answer = try await send(
                .post, "/api/v1/agent/register",
                body: Wire.Registration.Request(token: token, hostname: hostname, facts: StoreTests.facts), bearer: nil)
            #expect(answer.status == .created, "\(answer.text)")
            return try answer.decode(Wire.Registration.Response.self)
        }
    }
}
