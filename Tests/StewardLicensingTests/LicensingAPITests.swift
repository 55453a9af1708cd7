import Foundation
import HTTPTypes
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

struct LicensingAPITests {
    static func window(_ instanceID: String, start: Date, extra: String = "") -> String {
        let end = start.addingTimeInterval(3600)
        return """
            {"instance_id":"\(instanceID)","window_start":"\(start.ISO8601Format())","window_end":"\(end.ISO8601Format())",
             "hub_version":"0.1.0","users":3\(extra)}
            """
    }

    @Test("the admin API refuses requests without the administrator key, or with a wrong one")
    func adminKeyRequired() async throws {
        try await LicensingTestApp.run { app, _ in
            #expect(try await app.send(.get, "/api/v1/admin/clients", adminKey: nil).status == .unauthorized)
            let wrong = try await app.send(.get, "/api/v1/admin/clients", adminKey: "stw_adm_wrong-key-0123456789abcdef0123456")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.problem?.code == "unauthenticated")
            #expect(try await app.send(.get, "/api/v1/admin/clients").status == .ok)
        }
    }

    @Test("clients: create, read, change, list and delete; bad fields are named")
    func clients() async throws {
        try await LicensingTestApp.run { app, _ in
            let created = try await app.send(
                .post, "/api/v1/admin/clients", json: #"{"name":"Acme Hosting","contact_email":"ops@acme.example"}"#)
            #expect(created.status == .created)
            let client = try created.decode(Wire.Licensing.Client.self)
            let patched = try await app.send(.patch, "/api/v1/admin/clients/\(client.id)", json: #"{"notes":"EU region"}"#)
                .decode(Wire.Licensing.Client.self)
            #expect(patched.name == "Acme Hosting" && patched.notes == "EU region" && patched.contactEmail == "ops@acme.example")
            #expect(try await app.send(.get, "/api/v1/admin/clients").decode([Wire.Licensing.Client].self).map(\.id) == [client.id])
            let invalid = try await app.send(.post, "/api/v1/admin/clients", json: #"{"name":"","contact_email":"nope"}"#)
            #expect(invalid.status == .unprocessableContent)
            #expect(Set(invalid.problem?.errors?.map(\.field) ?? []) == ["name", "contact_email"])
            #expect(try await app.send(.delete, "/api/v1/admin/clients/\(client.id)").status == .noContent)
            #expect(try await app.send(.get, "/api/v1/admin/clients/\(client.id)").status == .notFound)
        }
    }

    @Test("an instance answers 201 with its license key once; only the key's digest is stored")
    func createInstance() async throws {
        try await LicensingTestApp.run { app, location in
            let issued = try await app.makeInstance()
            #expect(issued.licenseKey.wholeMatch(of: /stw_lic_[0-9a-f]{32}/) != nil)
            #expect(issued.instance.state == .active && issued.instance.entitlements.maxServers == 2)
            let shown = try await app.send(.get, "/api/v1/admin/instances/\(issued.instance.id)")
            #expect(!shown.text.contains(issued.licenseKey))
            #expect(DatabaseBytes.occurrences(of: issued.licenseKey, in: try DatabaseBytes.read(location)).isEmpty)
        }
    }

    @Test(
        "activation gives an instance id, a hub key and the entitlements; every refusal has its own code",
        arguments: TestDatabase.available)
    func activation(database: TestDatabase) async throws {
        let clock = ManualClock()
        try await LicensingTestApp.run(database: database, clock: clock.hubClock) { app, _ in
            let expiry = clock.now.addingTimeInterval(86_400)
            let issued = try await app.makeInstance(.init(name: "eu-1", maxServers: 2, expiresAt: expiry, features: ["rollouts"]))
            let id = issued.instance.id
            let answer = try await app.activate(issued.licenseKey)
            #expect(answer.status == .ok)
            let activation = try answer.decode(Wire.Licensing.Activation.self)
            #expect(activation.instanceID == id && activation.hubAPIKey.wholeMatch(of: /stw_hk_[0-9a-f]{32}/) != nil)
            #expect(activation.entitlements.maxServers == 2 && activation.entitlements.features == ["rollouts"])

            #expect(try await app.activate("stw_lic_" + String(repeating: "0", count: 32)).problem?.code == "license_invalid")
            #expect(try await app.activate(issued.licenseKey, fingerprint: "hub-fingerprint-two").problem?.code == "license_in_use")
            #expect(try await app.send(.post, "/api/v1/admin/instances/\(id)/allow-move").status == .ok)
            #expect(try await app.activate(issued.licenseKey, fingerprint: "hub-fingerprint-two").status == .ok)
            // The move is spent: the first installation cannot take it back without another.
            #expect(try await app.activate(issued.licenseKey, fingerprint: "hub-fingerprint-one").problem?.code == "license_in_use")

            #expect(
                try await app.send(.post, "/api/v1/admin/instances/\(id)/suspend").decode(Wire.Licensing.Instance.self).state == .suspended)
            let suspended = try await app.activate(issued.licenseKey, fingerprint: "hub-fingerprint-two")
            #expect(suspended.status == .forbidden && suspended.problem?.code == "license_suspended")
            #expect(try await app.send(.post, "/api/v1/admin/instances/\(id)/reactivate").status == .ok)
            clock.advance(by: 86_401)
            #expect(try await app.send(.get, "/api/v1/admin/instances/\(id)").decode(Wire.Licensing.Instance.self).state == .expired)
            #expect(try await app.activate(issued.licenseKey, fingerprint: "hub-fingerprint-two").problem?.code == "license_expired")
            #expect(try await app.send(.delete, "/api/v1/admin/instances/\(id)").status == .noContent)
            #expect(try await app.activate(issued.licenseKey, fingerprint: "hub-fingerprint-two").problem?.code == "license_deleted")

            let malformed = try await app.send(
                .post, "/api/v1/instances/activate", json: #"{"license_key":"x","fingerprint":"a b","version":"latest"}"#, adminKey: nil)
            #expect(malformed.status == .unprocessableContent)
            #expect(Set(malformed.problem?.errors?.map(\.field) ?? []) == ["fingerprint", "version"])
        }
    }

    @Test("rotating the license or the hub key refuses the old one at once", arguments: TestDatabase.available)
    func rotation(database: TestDatabase) async throws {
        try await LicensingTestApp.run(database: database) { app, _ in
            let issued = try await app.makeInstance()
            let id = issued.instance.id
            let first = try await app.activate(issued.licenseKey).decode(Wire.Licensing.Activation.self)
            let start = Date(timeIntervalSince1970: 1_796_000_000)
            #expect(try await app.sendTelemetry(id, hubKey: first.hubAPIKey, json: Self.window(id, start: start)).status == .created)

            let rotated = try await app.send(.post, "/api/v1/admin/instances/\(id)/rotate-hub-key").decode(Wire.Licensing.IssuedHubKey.self)
            let stale = try await app.sendTelemetry(
                id, hubKey: first.hubAPIKey, json: Self.window(id, start: start.addingTimeInterval(3600)))
            #expect(stale.status == .unauthorized && stale.problem?.code == "invalid_hub_key")
            #expect(
                try await app.sendTelemetry(id, hubKey: rotated.hubAPIKey, json: Self.window(id, start: start.addingTimeInterval(3600)))
                    .status
                    == .created)

            let newLicense = try await app.send(.post, "/api/v1/admin/instances/\(id)/rotate-license").decode(
                Wire.Licensing.IssuedLicense.self)
            #expect(newLicense.licenseKey != issued.licenseKey)
            #expect(try await app.activate(issued.licenseKey).problem?.code == "license_invalid")
            #expect(try await app.activate(newLicense.licenseKey).status == .ok)
        }
    }

    @Test("a window is stored once however often it is sent; the receipt carries the license's state", arguments: TestDatabase.available)
    func telemetryOnce(database: TestDatabase) async throws {
        try await LicensingTestApp.run(database: database) { app, _ in
            let issued = try await app.makeInstance()
            let id = issued.instance.id
            let hubKey = try await app.activate(issued.licenseKey).decode(Wire.Licensing.Activation.self).hubAPIKey
            let start = Date(timeIntervalSince1970: 1_796_000_000)
            let window = Self.window(id, start: start, extra: #","note":"free text""#)
            let first = try await app.sendTelemetry(id, hubKey: hubKey, json: window)
            #expect(first.status == .created)
            #expect(try first.decode(Wire.Licensing.TelemetryReceipt.self).droppedFields == 1)
            let again = try await app.sendTelemetry(id, hubKey: hubKey, json: window)
            #expect(again.status == .ok)
            #expect(try again.decode(Wire.Licensing.TelemetryReceipt.self).stored == false)

            _ = try await app.send(.post, "/api/v1/admin/instances/\(id)/suspend")
            let suspended = try await app.sendTelemetry(id, hubKey: hubKey, json: Self.window(id, start: start.addingTimeInterval(3600)))
            #expect(try suspended.decode(Wire.Licensing.TelemetryReceipt.self).state == .suspended)

            let windows = try await app.send(.get, "/api/v1/admin/instances/\(id)/telemetry").decode([Wire.Licensing.TelemetryRecord].self)
            #expect(windows.map(\.windowStart) == [start.addingTimeInterval(3600), start])
            #expect(windows.last?.droppedFields == 1)
            guard case .object(let body) = windows.last?.body else { throw TestFailure("no body") }
            #expect(body["note"] == nil && body["users"] == .number(3))
            #expect(try await app.send(.get, "/api/v1/admin/instances/\(id)").decode(Wire.Licensing.Instance.self).version == "0.1.0")
        }
    }

    @Test("telemetry without a valid window, or without JSON, is refused without quoting the body")
    func telemetryRefusals() async throws {
        try await LicensingTestApp.run { app, _ in
            let issued = try await app.makeInstance()
            let id = issued.instance.id
            let hubKey = try await app.activate(issued.licenseKey).decode(Wire.Licensing.Activation.self).hubAPIKey
            let noWindow = try await app.sendTelemetry(id, hubKey: hubKey, json: #"{"users":"secret-plant-4711"}"#)
            #expect(noWindow.status == .unprocessableContent && noWindow.problem?.code == "invalid_window")
            #expect(!noWindow.text.contains("secret-plant-4711"))
            let notJSON = try await app.sendTelemetry(id, hubKey: hubKey, json: "secret-plant-4712 {")
            #expect(notJSON.status == .badRequest && !notJSON.text.contains("secret-plant-4712"))
            #expect(try await app.sendTelemetry("nope", hubKey: hubKey, json: "{}").status == .unauthorized)
        }
    }

    @Test("activation is rate limited per address")
    func activationRateLimit() async throws {
        try await LicensingTestApp.run(activationsPerMinute: (3, 100)) { app, _ in
            for _ in 0..<3 { _ = try await app.activate("stw_lic_" + String(repeating: "1", count: 32)) }
            let limited = try await app.activate("stw_lic_" + String(repeating: "1", count: 32))
            #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] != nil)
        }
    }

    @Test("the console shows nothing without a session, refuses a wrong key, and lists instances and versions once signed in")
    func console() async throws {
        try await LicensingTestApp.run { app, _ in
            let toLogin = try await app.send(.get, "/", adminKey: nil)
            #expect(toLogin.status == .seeOther && toLogin.headers[.location] == "/login")
            let wrong = try await app.send(
                .post, "/login", json: nil, adminKey: nil, headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(wrong.status == .unauthorized)
            let issued = try await app.makeInstance()
            _ = try await app.activate(issued.licenseKey, version: "0.2.0")
            let overview = try await app.consolePage("/")
            #expect(overview.contains("Acme Hosting") && overview.contains("eu-1") && overview.contains("0.2.0"))
            #expect(try await app.consolePage("/instances/\(issued.instance.id)").contains("hub-fingerprint-one"))
        }
    }

    @Test("an instance's terms change by PATCH: left out stays, null removes a limit; the hub learns them with its next window")
    func changeTerms() async throws {
        try await LicensingTestApp.run { app, _ in
            let issued = try await app.makeInstance(.init(name: "eu-1", maxServers: 2, maxUsers: 5))
            let id = issued.instance.id
            let hubKey = try await app.activate(issued.licenseKey).decode(Wire.Licensing.Activation.self).hubAPIKey
            let changed = try await app.send(.patch, "/api/v1/admin/instances/\(id)", json: #"{"max_servers":10,"max_users":null}"#)
                .decode(Wire.Licensing.Instance.self)
            #expect(changed.name == "eu-1" && changed.entitlements.maxServers == 10 && changed.entitlements.maxUsers == nil)
            let receipt = try await app.sendTelemetry(
                id, hubKey: hubKey, json: Self.window(id, start: Date(timeIntervalSince1970: 1_796_000_000))
            )
            .decode(Wire.Licensing.TelemetryReceipt.self)
            #expect(receipt.entitlements == changed.entitlements)
            let invalid = try await app.send(
                .patch, "/api/v1/admin/instances/\(id)", json: #"{"name":"","max_servers":-1,"features":["Bad Name"]}"#)
            #expect(invalid.status == .unprocessableContent)
            #expect(Set(invalid.problem?.errors?.map(\.field) ?? []) == ["name", "max_servers", "features"])
            _ = try await app.send(.delete, "/api/v1/admin/instances/\(id)")
            #expect(try await app.send(.patch, "/api/v1/admin/instances/\(id)", json: #"{"max_servers":1}"#).status == .notFound)
        }
    }
}
