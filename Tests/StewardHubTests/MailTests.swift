import Foundation
import HTTPTypes
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// Invitation links e-mailed through a real SMTP server (aiosmtpd from PyPI, which `scripts/test`
/// installs) that requires STARTTLS and authentication.
@Suite(.serialized)
struct MailTests {
    static let user = "steward"
    static let password = "s3cret mail pass"

    /// A running aiosmtpd in its own folder, where it writes its certificate and the messages it gets.
    final class SMTPServer: Sendable {
        let fixture: FixtureServer
        var port: Int { fixture.port }
        var directory: TemporaryDirectory { fixture.directory }

        init() throws {
            do {
                fixture = try FixtureServer(script: Fixtures.smtpServer, arguments: [MailTests.user, MailTests.password])
            } catch {
                throw TestFailure("the SMTP server did not start (is aiosmtpd installed? pip install aiosmtpd)")
            }
        }

        func url(password: String = MailTests.password) -> String {
            let secret = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            return "smtp://\(MailTests.user):\(secret)@localhost:\(port)?from=hub@example.com&ca_file=\(directory.path)/cert.pem"
        }

        /// The messages received so far: headers and the decoded body, and what the server saw.
        func messages() throws -> [(headers: String, body: String, envelope: [String: Any])] {
            let envelopes = fixture.files("message", suffix: "json")
            return try fixture.files("message", suffix: "eml").enumerated().map { index, raw in
                let text = String(decoding: raw, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
                let parts = text.components(separatedBy: "\n\n")
                let body = Data(base64Encoded: parts.dropFirst().joined().replacingOccurrences(of: "\n", with: "")) ?? Data()
                let meta = index < envelopes.count ? envelopes[index] : Data("{}".utf8)
                return (
                    parts[0], String(decoding: body, as: UTF8.self), try JSONSerialization.jsonObject(with: meta) as? [String: Any] ?? [:]
                )
            }
        }
    }

    @Test("an invitation is e-mailed over STARTTLS with authentication: the link works, headers cannot be injected")
    func invitationMail() async throws {
        let server = try SMTPServer()
        try await HubTestApp.run(smtp: try SMTPSettings(url: server.url())) { client in
            #expect(
                try await client.send(.patch, "/api/v1/tenants/default", json: #"{"name": "Acme\r\nBcc: evil@example.com"}"#).status == .ok)
            let invited = try await client.send(.post, "/api/v1/invitations", json: #"{"email": "fay@example.com", "role": "operator"}"#)
            #expect(invited.status == .created, "\(invited.text)")
            let created = try invited.decode(Wire.Invitation.Created.self)
            #expect(created.mailed)

            let messages = try server.messages()
            let message = try #require(messages.first)
            #expect(messages.count == 1)
            #expect(message.envelope["tls"] as? Bool == true)
            #expect(message.envelope["authenticated"] as? Bool == true)
            #expect(message.envelope["to"] as? [String] == ["fay@example.com"])
            #expect(message.envelope["from"] as? String == "hub@example.com")
            #expect(message.body.contains(created.acceptURL), "\(message.body)")
            #expect(message.body.contains("as operator"))
            #expect(message.headers.contains("To: <fay@example.com>"))
            #expect(!message.headers.contains("\nBcc:"), "a tenant name cannot add a header: \(message.headers)")
            #expect(!message.headers.contains(Self.password) && !message.body.contains(Self.password))

            // The link from the mail is the one that works.
            let token = String(try #require(created.acceptURL.split(separator: "token=").last))
            let accepted = try await client.send(
                .post, "/api/v1/invitations/accept",
                body: Wire.Invitation.AcceptRequest(token: token, name: "Fay", password: AccountAPITests.password), bearer: nil)
            #expect(accepted.status == .created)
        }
    }

    @Test("when the mail cannot be sent the invitation stands, its link shown, and the answer says it was not mailed")
    func mailRefused() async throws {
        let server = try SMTPServer()
        try await HubTestApp.run(smtp: try SMTPSettings(url: server.url(password: "wrong password"))) { client in
            let invited = try await client.send(.post, "/api/v1/invitations", json: #"{"email": "gus@example.com", "role": "viewer"}"#)
            #expect(invited.status == .created, "\(invited.text)")
            let created = try invited.decode(Wire.Invitation.Created.self)
            #expect(!created.mailed)
            #expect(created.acceptURL.contains("token="))
            #expect(try server.messages().isEmpty)
        }
    }

    @Test("SMTP settings: STARTTLS unless on loopback and told otherwise; the password never in the description")
    func settings() throws {
        let settings = try SMTPSettings(url: "smtp://ops:p%40ss@mail.example.com:2525?from=steward@example.com")
        #expect(settings.host == "mail.example.com" && settings.port == 2525 && settings.password == "p@ss" && settings.startTLS)
        #expect(settings.description == "smtp://ops:****@mail.example.com:2525")
        #expect(try SMTPSettings(url: "smtp://mail.example.com").port == 587)
        #expect(try SMTPSettings(url: "smtp://127.0.0.1:25?starttls=off").startTLS == false)
        for bad in [
            "smtps://mail.example.com", "http://mail.example.com", "smtp://mail.example.com?starttls=off",
            "smtp://mail.example.com?from=not-an-address", "smtp://mail.example.com?from=a@b%0D%0ABcc:x@y",
            "smtp://mail.example.com?unknown=1", "smtp://", "smtp://mail.example.com:0",
        ] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try SMTPSettings(url: bad) }
        }
    }
}
