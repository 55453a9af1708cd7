import Foundation
import HTTPTypes
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Invitation links e-mailed through a real SMTP server (aiosmtpd from PyPI, which `scripts/test`
/// installs) that requires STARTTLS and authentication.
@Suite(.serialized)
struct MailTests {
    static let user = "steward"
    static let password = "s3cret mail pass"

    /// A running aiosmtpd in its own folder, where it writes its certificate and the messages it gets.
    final class SMTPServer: Sendable {
        let process: Process
        let directory: TemporaryDirectory
        let port: Int

        init() throws {
            directory = try TemporaryDirectory()
            port = try Self.freePort()
            process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", Fixtures.smtpServer, directory.path, String(port), MailTests.user, MailTests.password]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            let line = output.fileHandleForReading.availableData
            guard String(decoding: line, as: UTF8.self).contains("READY") else {
                kill(process.processIdentifier, SIGKILL)
                throw TestFailure("the SMTP server did not start (is aiosmtpd installed? pip install aiosmtpd)")
            }
        }

        /// SIGKILL: a child of the test runner inherits its blocked signals, SIGTERM among them.
        deinit {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            directory.remove()
        }

        func url(password: String = MailTests.password) -> String {
            let secret = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            return "smtp://\(MailTests.user):\(secret)@localhost:\(port)?from=hub@example.com&ca_file=\(directory.path)/cert.pem"
        }

        /// The messages received so far: headers and the decoded body, and what the server saw.
        func messages() throws -> [(headers: String, body: String, envelope: [String: Any])] {
            var result: [(String, String, [String: Any])] = []
            var index = 1
            while let raw = FileManager.default.contents(atPath: "\(directory.path)/message-\(index).eml") {
                let text = String(decoding: raw, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
                let parts = text.components(separatedBy: "\n\n")
                let body = Data(base64Encoded: parts.dropFirst().joined().replacingOccurrences(of: "\n", with: "")) ?? Data()
                let meta = FileManager.default.contents(atPath: "\(directory.path)/message-\(index).json") ?? Data("{}".utf8)
                result.append(
                    (parts[0], String(decoding: body, as: UTF8.self), try JSONSerialization.jsonObject(with: meta) as? [String: Any] ?? [:])
                )
                index += 1
            }
            return result
        }

        static func freePort() throws -> Int {
            let socket = Process()
            socket.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            socket.arguments = [
                "python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])",
            ]
            let output = Pipe()
            socket.standardOutput = output
            try socket.run()
            socket.waitUntilExit()
            guard
                let port = Int(
                    String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(
                        in: .whitespacesAndNewlines))
            else {
                throw TestFailure("no free port")
            }
            return port
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
