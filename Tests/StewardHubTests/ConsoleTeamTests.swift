import Foundation
import HTTPTypes
import HummingbirdOTP
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardHub

/// The console's account, team and tenants pages, and what each role is shown, through the router.
struct ConsoleTeamTests {
    /// The text of the element with this id on a page (its first text run).
    static func element(_ id: String, in page: String) -> String? {
        guard let start = page.range(of: "id=\"\(id)\"") else { return nil }
        let rest = page[start.upperBound...]
        guard let open = rest.firstIndex(of: ">"), let close = rest[open...].firstIndex(of: "<") else { return nil }
        return String(rest[rest.index(after: open)..<close])
    }

    static func unescaped(_ html: String) -> String {
        html.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(
            of: "&quot;", with: "\"")
    }

    @Test("two-factor sign-in is set up on the account page: a QR code the hub draws, a first code confirms it, backup codes once")
    func twoFactorSetup() async throws {
        let clock = ManualClock()
        try await HubTestApp.run(clock: clock.hubClock) { client in
            let browser = ConsoleTests.Browser(client)
            #expect(try await browser.signIn().status == .seeOther)
            let before = try await browser.get("/account")
            #expect(before.status == .ok)
            #expect(Self.element("two-factor-status", in: before.text)?.hasPrefix("Off") == true)
            let csrf = try ConsoleTests.Browser.csrf(in: before.text)
            #expect(try await browser.post("/account/two-factor", ["_csrf": csrf]).status == .seeOther)

            let setup = try await browser.get("/account")
            let uri = Self.unescaped(try #require(setup.text.firstMatch(of: /id="totp-uri" href="([^"]+)"/)).1.description)
            #expect(uri.hasPrefix("otpauth://totp/"))
            #expect(setup.text.contains(try QRCode(uri).svg()), "the page shows the QR code of exactly that URI")
            let secret = TwoFactorTests.secret(fromBase32: try #require(Self.element("totp-secret", in: setup.text)))
            func code() -> String { String(format: "%06d", TwoFactor.totp(secret).compute(date: clock.now)) }

            let wrong = try await browser.post("/account/two-factor/confirm", ["otp": "000000", "_csrf": csrf])
            #expect(wrong.status == .unprocessableContent)
            #expect(Self.element("two-factor-error", in: wrong.text)?.contains("not the current code") == true)
            let confirmed = try await browser.post("/account/two-factor/confirm", ["otp": code(), "_csrf": csrf])
            #expect(confirmed.status == .ok)
            let codes = confirmed.text.matches(of: /<li><code>([a-z0-9-]+)<\/code><\/li>/).map { String($0.1) }
            #expect(codes.count == 10)
            let after = try await browser.get("/account")
            #expect(Self.element("two-factor-status", in: after.text)?.contains("10 backup codes left") == true)
            #expect(!after.text.contains(codes[0]), "backup codes are shown once")
            #expect(!after.text.contains("totp-secret"))

            clock.advance(by: 30)
            let regenerated = try await browser.post("/account/two-factor/backup-codes", ["otp": code(), "_csrf": csrf])
            #expect(regenerated.status == .ok && !regenerated.text.contains(codes[0]))
            clock.advance(by: 30)
            let off = try await browser.post("/account/two-factor/disable", ["otp": code(), "_csrf": csrf])
            #expect(off.status == .ok && Self.element("account-notice", in: off.text) == "Two-factor sign-in is off.")
        }
    }

    @Test("the account page changes the password, makes and revokes API tokens, lists sessions and sign-ins")
    func accountPage() async throws {
        try await HubTestApp.run { client in
            let browser = ConsoleTests.Browser(client)
            _ = try await browser.signIn()
            let other = ConsoleTests.Browser(client)
            _ = try await other.signIn()
            let page = try await browser.get("/account")
            let csrf = try ConsoleTests.Browser.csrf(in: page.text)
            #expect(page.text.filter { $0 == "\n" }.count > 0 && page.text.contains("steward-test-browser"))
            #expect(page.text.contains("signed in to the console"))

            let made = try await browser.post("/account/tokens", ["name": "ci", "role": "viewer", "expires": "86400", "_csrf": csrf])
            let token = try #require(Self.element("api-token-value", in: made.text))
            #expect(try await client.send(.get, "/api/v1/servers", bearer: token).status == .ok)
            #expect(try await client.send(.post, "/api/v1/jobs", json: "{}", bearer: token).status == .forbidden, "a viewer token")
            let id = try #require(made.text.firstMatch(of: /action="\/account\/tokens\/([^\/"]+)\/revoke"/)).1
            #expect(try await browser.post("/account/tokens/\(id)/revoke", ["_csrf": csrf]).status == .seeOther)
            #expect(try await client.send(.get, "/api/v1/servers", bearer: token).status == .unauthorized)

            let weak = try await browser.post(
                "/account/password", ["current_password": "correct horse battery staple", "new_password": "short", "_csrf": csrf])
            #expect(weak.status == .unprocessableContent && Self.element("new-password-error", in: weak.text) != nil)
            let changed = try await browser.post(
                "/account/password",
                ["current_password": "correct horse battery staple", "new_password": AccountAPITests.password, "_csrf": csrf])
            #expect(changed.status == .ok && Self.element("account-notice", in: changed.text)?.contains("other sessions") == true)
            #expect(try await other.get("/servers").status == .seeOther, "the other session ended")
            #expect(try await browser.get("/servers").status == .ok, "this one goes on")
        }
    }

    @Test("a viewer is shown no install form, enroll link, team page or job controls; forbidden pages are pages, not JSON")
    func viewer() async throws {
        try await HubTestApp.run { client in
            _ = try await AccountAPITests.member(client, "view@example.com", role: .viewer)
            let browser = ConsoleTests.Browser(client)
            #expect(try await browser.signIn(email: "view@example.com", password: AccountAPITests.password).status == .seeOther)
            let app = try await browser.get("/apps/webapp")
            #expect(app.status == .ok)
            #expect(!app.text.contains("<h2>Install</h2>") && app.text.contains("id=\"no-install\""))
            let servers = try await browser.get("/servers")
            #expect(!servers.text.contains("href=\"/enroll\"") && !servers.text.contains("href=\"/team\""))
            let team = try await browser.get("/team")
            #expect(team.status == .forbidden)
            #expect(team.headers[.contentType]?.hasPrefix("text/html") == true && team.text.contains("Not allowed"))
            let install = try await browser.post("/apps/webapp/install", ["_csrf": try ConsoleTests.Browser.csrf(in: app.text)])
            #expect(install.status == .forbidden)

            let owner = ConsoleTests.Browser(client)
            _ = try await owner.signIn()
            let ownerApp = try await owner.get("/apps/webapp")
            #expect(ownerApp.text.contains("<h2>Install</h2>") && ownerApp.text.contains("href=\"/enroll\""))
            #expect(try await owner.get("/servers").text.contains("href=\"/team\""))
        }
    }

    @Test("the team page invites with a link shown once, changes roles, removes only when the e-mail is typed")
    func team() async throws {
        try await HubTestApp.run { client in
            let browser = ConsoleTests.Browser(client)
            _ = try await browser.signIn()
            let page = try await browser.get("/team")
            let csrf = try ConsoleTests.Browser.csrf(in: page.text)
            let invited = try await browser.post("/team/invitations", ["email": "new@example.com", "role": "viewer", "_csrf": csrf])
            let link = Self.unescaped(try #require(Self.element("invitation-link", in: invited.text)))
            let token = String(try #require(link.split(separator: "token=").last))
            #expect(!(try await browser.get("/team").text.contains(token)), "the link is shown once")
            let bad = try await browser.post("/team/invitations", ["email": "not-an-address", "role": "viewer", "_csrf": csrf])
            #expect(bad.status == .unprocessableContent && Self.element("invite-error", in: bad.text) != nil)
            #expect(
                try await client.send(
                    .post, "/api/v1/invitations/accept",
                    body: Wire.Invitation.AcceptRequest(token: token, name: "New", password: AccountAPITests.password), bearer: nil
                ).status == .created)

            let users = try await client.send(.get, "/api/v1/users").decode(Wire.ItemList<Wire.User.Info>.self)
            let member = try #require(users.items.first { $0.email == "new@example.com" })
            let promoted = try await browser.post("/team/members/\(member.id)", ["role": "operator", "_csrf": csrf])
            #expect(promoted.status == .ok && Self.element("team-notice", in: promoted.text)?.contains("operator") == true)
            let unconfirmed = try await browser.post("/team/members/\(member.id)/remove", ["confirm": "new", "_csrf": csrf])
            #expect(unconfirmed.status == .unprocessableContent && Self.element("team-error", in: unconfirmed.text) != nil)
            let removed = try await browser.post("/team/members/\(member.id)/remove", ["confirm": "new@example.com", "_csrf": csrf])
            #expect(removed.status == .ok && !removed.text.contains("data-member=\"new@example.com\""))
        }
    }

    @Test("the tenant switcher moves the session to another tenant of the user, audited there; others' tenants are 404")
    func switcher() async throws {
        try await HubTestApp.run { client in
            let browser = ConsoleTests.Browser(client)
            _ = try await browser.signIn()
            var page = try await browser.get("/tenants")
            let csrf = try ConsoleTests.Browser.csrf(in: page.text)
            #expect(try await browser.post("/tenants", ["name": "Acme", "slug": "acme", "_csrf": csrf]).status == .seeOther)
            page = try await browser.get("/servers")
            #expect(page.text.contains("<option value=\"acme\">Acme</option>"))
            #expect(try await browser.post("/tenant", ["tenant": "acme", "_csrf": csrf]).headers[.location] == "/servers")
            let account = try await browser.get("/account")
            #expect(account.text.contains("<dt>Tenant</dt><dd>Acme</dd>"))
            var acme: HTTPFields = [:]
            acme[HTTPField.Name("X-Steward-Tenant")!] = "acme"
            let audit = try await client.send(.get, "/api/v1/audit?action=session.switch_tenant", headers: acme)
            #expect(audit.text.contains("session.switch_tenant"), "\(audit.text)")

            _ = try await AccountAPITests.member(client, "view@example.com", role: .viewer)
            let viewer = ConsoleTests.Browser(client)
            _ = try await viewer.signIn(email: "view@example.com", password: AccountAPITests.password)
            let servers = try await viewer.get("/servers")
            #expect(!servers.text.contains("tenant-switch"), "one tenant: no switcher")
            let refused = try await viewer.post("/tenant", ["tenant": "acme", "_csrf": try ConsoleTests.Browser.csrf(in: servers.text)])
            #expect(refused.status == .notFound)
        }
    }

    @Test("a tenant that requires two-factor sign-in sends its admins without it to the account page first")
    func requiredTwoFactor() async throws {
        try await HubTestApp.run { client in
            _ = try await AccountAPITests.member(client, "adm@example.com", role: .admin)
            #expect(try await client.send(.patch, "/api/v1/tenants/default", json: #"{"require_two_factor": true}"#).status == .ok)
            let admin = ConsoleTests.Browser(client)
            _ = try await admin.signIn(email: "adm@example.com", password: AccountAPITests.password)
            let servers = try await admin.get("/servers")
            #expect(servers.status == .seeOther && servers.headers[.location] == "/account?two_factor_required=1")
            let account = try await admin.get("/account?two_factor_required=1")
            #expect(account.status == .ok && Self.element("account-notice", in: account.text)?.contains("requires two-factor") == true)
            _ = try await AccountAPITests.member(client, "view@example.com", role: .viewer)
            let viewer = ConsoleTests.Browser(client)
            _ = try await viewer.signIn(email: "view@example.com", password: AccountAPITests.password)
            #expect(try await viewer.get("/servers").status == .ok, "the rule is for admins and owners")
        }
    }

    @Test(
        "odd and hostile values in every field of every account, team and tenant form answer 2xx, 3xx or 4xx, never 5xx",
        arguments: TestDatabase.available)
    func oddForms(database: TestDatabase) async throws {
        try await HubTestApp.run(database: database) { client in
            let browser = ConsoleTests.Browser(client)
            _ = try await browser.signIn()
            let csrf = try ConsoleTests.Browser.csrf(in: try await browser.get("/account").text)
            let values = [
                "", " ", "x", String(repeating: "a", count: 5000), "é\u{0}\r\nBcc: x@y", "<script>", "-1", "99999999999999999999",
                "owner", "viewer", "default", "../../etc/passwd", "%00", "true",
            ]
            let forms: [(String, [String])] = [
                ("/account/password", ["current_password", "new_password"]), ("/account/two-factor/confirm", ["otp"]),
                ("/account/two-factor/backup-codes", ["otp"]), ("/account/two-factor/disable", ["otp"]),
                ("/account/tokens", ["name", "role", "expires"]), ("/account/tokens/nope/revoke", []),
                ("/account/sessions/nope/end", []), ("/tenant", ["tenant"]), ("/team/invitations", ["email", "role"]),
                ("/team/invitations/nope/revoke", []), ("/team/members/nope", ["role", "disabled"]),
                ("/team/members/nope/remove", ["confirm"]), ("/team/tenant", ["name", "max_users", "require_two_factor"]),
                ("/tenants", ["name", "slug"]),
            ]
            for (path, fields) in forms {
                #expect(try await browser.post(path, ["_csrf": "wrong"]).status == .forbidden, "\(path) without the form token")
                for value in values {
                    var form = ["_csrf": csrf]
                    for field in fields { form[field] = value }
                    let answer = try await browser.post(path, form)
                    #expect(answer.status.code < 500, "\(path) with \(value.prefix(20)): \(answer.status)")
                }
            }
            // The session survived it all (no password above was right); a tenant rule may send it to /account.
            let after = try await browser.get("/account")
            #expect(after.status == .ok, "\(after.status) \(after.headers[.location] ?? "")")
        }
    }
}
