import Foundation
import HTTPTypes
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// A hub's license as its operators see it. (Activation, limits and telemetry against a real license
/// service are in `LicensingEndToEndTests`.)
struct HubLicenseTests {
    @Test("without a license service the hub is unlicensed and counts nothing against anything")
    func unlicensed() async throws {
        try await HubTestApp.run { client in
            let status = try await client.send(.get, "/api/v1/license").decode(Wire.Licensing.HubStatus.self)
            #expect(status.state == "unlicensed" && status.instanceID == nil && status.message == nil)
            #expect(status.servers == 0 && status.users == 1)
        }
    }

    @Test("a license service not reached yet stops nothing; the API and every console page say so")
    func unreachable() async throws {
        // Port 9 (discard) refuses connections on loopback; the router test runs no services anyway.
        let settings = try LicenseSettings(serverURL: "http://127.0.0.1:9", licenseKey: "stw_lic_" + String(repeating: "0", count: 32))
        try await HubTestApp.run(license: settings) { client in
            let token = try await client.createToken()
            _ = try await client.enroll(token: token.token)
            let status = try await client.send(.get, "/api/v1/license").decode(Wire.Licensing.HubStatus.self)
            #expect(status.state == "pending" && status.servers == 1)
            #expect(status.message?.contains("has not reached its license service") == true)
            let browser = ConsoleTests.Browser(client)
            _ = try await browser.signIn()
            let page = try await browser.get("/servers")
            #expect(page.text.contains(#"id="license-notice""#))
        }
    }

    @Test("license settings refuse keys and URLs that cannot be right, and plain http off loopback")
    func settings() {
        #expect(throws: ConfigurationError.self) {
            try LicenseSettings(serverURL: "ftp://x", licenseKey: "stw_lic_" + String(repeating: "0", count: 32))
        }
        #expect(throws: ConfigurationError.self) {
            try LicenseSettings(
                serverURL: "https://user:pw@licensing.example.com", licenseKey: "stw_lic_" + String(repeating: "0", count: 32))
        }
        #expect(throws: ConfigurationError.self) {
            try LicenseSettings(serverURL: "https://licensing.example.com", licenseKey: "stw_lic_short")
        }
        // The keys would cross the network in clear.
        #expect(throws: ConfigurationError.self) {
            try LicenseSettings(serverURL: "http://licensing.example.com", licenseKey: "stw_lic_" + String(repeating: "0", count: 32))
        }
        #expect(throws: Never.self) {
            try LicenseSettings(serverURL: "http://127.0.0.1:8200/", licenseKey: "stw_lic_" + String(repeating: "0", count: 32))
        }
    }
}
