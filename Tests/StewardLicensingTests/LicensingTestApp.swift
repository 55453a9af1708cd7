import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import StewardCore
import StewardHub
import StewardLicensing
import StewardTestSupport

/// A license service built exactly as `steward licensing` builds it, on a fresh database, driven
/// through the router.
struct LicensingTestApp {
    static let adminKey = "stw_adm_test-admin-key-0123456789abcdef0123"

    static func run(
        database: TestDatabase = .sqlite,
        clock: HubClock = .system,
        activationsPerMinute: (perAddress: Int, perKey: Int) = (1000, 1000),
        logger: Logger = TestDatabase.logger,
        _ body: @Sendable (Client, DatabaseLocation) async throws -> Void
    ) async throws {
        try await database.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let configuration = LicensingConfiguration(
                dataDirectory: directory.path, database: location, clock: clock, initialAdminKey: adminKey,
                activationsPerMinute: activationsPerMinute, telemetryPerMinute: 100_000)
            let app = try await buildLicensingApplication(configuration: configuration, logger: logger)
            try await app.test(.router) { client in
                try await body(Client(client: client), location)
            }
        }
    }

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

        /// A request with the administrator key unless told otherwise.
        func send(
            _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, adminKey: String? = LicensingTestApp.adminKey,
            headers extra: HTTPFields = [:]
        ) async throws -> Answer {
            var headers = extra
            if let adminKey { headers[HTTPField.Name("X-Admin-Api-Key")!] = adminKey }
            if json != nil { headers[.contentType] = "application/json" }
            return try await client.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) {
                response in
                Answer(status: response.status, headers: response.headers, body: Data(response.body.readableBytesView))
            }
        }

        func send(
            _ method: HTTPRequest.Method, _ uri: String, body: some Encodable, adminKey: String? = LicensingTestApp.adminKey
        )
            async throws -> Answer
        {
            try await send(method, uri, json: String(decoding: try Wire.makeEncoder().encode(body), as: UTF8.self), adminKey: adminKey)
        }

        /// Signs in to the console with the administrator key, then fetches `path` as a browser would.
        func consolePage(_ path: String) async throws -> String {
            let signIn = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "admin_key=" + LicensingTestApp.adminKey)
            ) { $0 }
            guard signIn.status == .seeOther, let cookie = signIn.headers[.setCookie]?.split(separator: ";").first else {
                throw TestFailure("the console refused the administrator key: \(signIn.status)")
            }
            return try await client.execute(uri: path, method: .get, headers: [.cookie: String(cookie)]) { response in
                guard response.status == .ok else { throw TestFailure("\(path) answered \(response.status)") }
                return String(buffer: response.body)
            }
        }

        /// A new client and an instance of it; returns the instance and its license key.
        func makeInstance(
            _ request: Wire.Licensing.InstanceRequest = .init(name: "eu-1", maxServers: 2, maxUsers: 5)
        ) async throws
            -> Wire.Licensing.IssuedLicense
        {
            let client = try await send(.post, "/api/v1/admin/clients", body: Wire.Licensing.ClientRequest(name: "Acme Hosting"))
                .decode(Wire.Licensing.Client.self)
            return try await send(.post, "/api/v1/admin/clients/\(client.id)/instances", body: request)
                .decode(Wire.Licensing.IssuedLicense.self)
        }

        func activate(_ licenseKey: String, fingerprint: String = "hub-fingerprint-one", version: String = "0.1.0") async throws -> Answer {
            try await send(
                .post, "/api/v1/instances/activate",
                body: Wire.Licensing.ActivationRequest(licenseKey: licenseKey, fingerprint: fingerprint, version: version), adminKey: nil)
        }

        func sendTelemetry(_ instanceID: String, hubKey: String, json: String) async throws -> Answer {
            try await send(
                .post, "/api/v1/instances/\(instanceID)/telemetry", json: json, adminKey: nil,
                headers: [HTTPField.Name("X-Hub-Api-Key")!: hubKey])
        }
    }
}
