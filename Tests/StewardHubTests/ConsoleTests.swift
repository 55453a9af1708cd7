import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// The web console's pages through the hub's router: sign-in, sessions, CSRF, headers, fleet pages.
struct ConsoleTests {
    /// A client that keeps cookies like a browser and posts forms.
    actor Browser {
        let client: HubTestApp.Client
        private(set) var cookies: [String: String] = [:]

        init(_ client: HubTestApp.Client) {
            self.client = client
        }

        func get(_ uri: String) async throws -> HubTestApp.Client.Answer {
            try await send(.get, uri, form: nil)
        }

        func post(_ uri: String, _ form: [String: String]) async throws -> HubTestApp.Client.Answer {
            try await send(.post, uri, form: form)
        }

        private func send(_ method: HTTPRequest.Method, _ uri: String, form: [String: String]?) async throws -> HubTestApp.Client.Answer {
            var headers: HTTPFields = [.userAgent: "steward-test-browser"]
            if !cookies.isEmpty {
                headers[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            }
            var body: String?
            if let form {
                headers[.contentType] = "application/x-www-form-urlencoded"
                body = form.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.encode($0.value))" }.joined(separator: "&")
            }
            let answer = try await client.sendRaw(method, uri, body: body, headers: headers)
            for field in answer.headers where field.name == .setCookie {
                let pair = field.value.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(
                    String.init)
                guard pair.count == 2 else { continue }
                if field.value.contains("Max-Age=0") { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
            }
            return answer
        }

        static func encode(_ value: String) -> String {
            value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
        }

        /// The value of a hidden `_csrf` field on a page.
        static func csrf(in page: String) throws -> String {
            let match = try #require(page.firstMatch(of: /name="_csrf" value="([^"]+)"/))
            return String(match.1)
        }

        func signIn(
            email: String = "owner@example.com", password: String = "correct horse battery staple", next: String = "/servers"
        ) async throws -> HubTestApp.Client.Answer {
            let page = try await get("/login")
            return try await post("/login", ["email": email, "password": password, "next": next, "_csrf": try Self.csrf(in: page.text)])
        }
    }

    @Test("signed out, every page leads to the sign-in page and remembers where it was going")
    func signedOut() async throws {
        try await HubTestApp.run { client in
            let browser = Browser(client)
            for path in ["/", "/servers", "/servers/some-id", "/enroll", "/apps", "/apps/webapp", "/jobs", "/jobs/some-id", "/audit"] {
                let answer = try await browser.get(path)
                #expect(answer.status == .seeOther, "\(path)")
                #expect(answer.headers[.location]?.hasPrefix("/login") == true, "\(path)")
            }
            #expect(try await browser.get("/servers/some-id").headers[.location] == "/login?next=%2Fservers%2Fsome%2Did")
            for path in ["/logout", "/enroll", "/apps/webapp/install", "/jobs/x/cancel", "/servers/x/labels"] {
                #expect(try await browser.post(path, [:]).headers[.location]?.hasPrefix("/login") == true, "\(path)")
            }
            // A browser gets error pages in the console's style; API clients keep their JSON.
            let missing = try await client.sendRaw(.get, "/no-such-page", body: nil, headers: [.accept: "text/html"])
            #expect(missing.status == .notFound && missing.text.contains("<h1>Not found</h1>"))
            #expect(missing.headers[.contentSecurityPolicy] != nil)
            #expect(try await client.sendRaw(.get, "/api/v1/nope", body: nil, headers: [.accept: "text/html"]).problem?.code == "not_found")
            // The API is unchanged: a token, not a cookie.
            #expect(try await client.send(.get, "/api/v1/servers", bearer: nil).status == .unauthorized)
        }
    }

    @Test("pages carry security headers: a Content-Security-Policy without inline script, no framing, no sniffing")
    func securityHeaders() async throws {
        try await HubTestApp.run { client in
            let browser = Browser(client)
            for path in ["/login", "/assets/console.css", "/assets/console.js", "/servers"] {
                let answer = try await browser.get(path)
                let policy = try #require(answer.headers[.contentSecurityPolicy], "\(path)")
                #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe"), "\(path)")
                #expect(answer.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                #expect(answer.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            }
            let page = try await browser.get("/login").text
            #expect(!page.contains("<script>") && !page.contains(" on"), "no inline script or handlers")
        }
    }

    @Test("sign-in: wrong password, missing form token, then success with a strict cookie; every attempt audited, never the password")
    func signIn() async throws {
        try await HubTestApp.run { client in
            let browser = Browser(client)
            let wrong = try await browser.signIn(password: "not the password")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains("The e-mail or the password is not right."))
            #expect(wrong.text.contains(#"value="owner@example.com""#), "the e-mail is kept")

            let forged = try await browser.post(
                "/login", ["email": "owner@example.com", "password": "correct horse battery staple", "_csrf": "made-up"])
            #expect(forged.status == .forbidden)

            let page = try await browser.get("/login")
            let ok = try await browser.post(
                "/login",
                [
                    "email": "OWNER@example.com", "password": "correct horse battery staple", "next": "/servers",
                    "_csrf": try Browser.csrf(in: page.text),
                ])
            #expect(ok.status == .seeOther && ok.headers[.location] == "/servers")
            let cookie = try #require(ok.headers[values: .setCookie].first { $0.hasPrefix("steward_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
            #expect(!cookie.contains("Secure"), "plain HTTP here; Secure behind TLS")
            let servers = try await browser.get("/servers")
            #expect(servers.status == .ok)
            #expect(servers.text.contains(#"<div class="empty" data-empty-servers>"#), "the empty state shows")
            #expect(servers.text.contains("owner@example.com"))
            // Signed in, the sign-in page sends the browser on.
            #expect(try await browser.get("/login").status == .seeOther)

            let audit = try await client.send(.get, "/api/v1/audit").text
            #expect(audit.contains("console.login_failed") && audit.contains(#""console.login""#))
            #expect(!audit.contains("not the password") && !audit.contains("correct horse"))
        }
    }

    @Test("sign-out needs the form token; afterwards the cookie is gone and the session with it")
    func signOut() async throws {
        try await HubTestApp.run { client in
            let browser = Browser(client)
            _ = try await browser.signIn()
            let page = try await browser.get("/servers")
            let session = try #require(await browser.cookies["steward_session"])
            #expect(try await browser.post("/logout", ["_csrf": "wrong"]).status == .forbidden)
            #expect(try await browser.post("/logout", [:]).status == .forbidden)
            #expect(try await browser.get("/servers").status == .ok, "a refused sign-out changes nothing")
            let out = try await browser.post("/logout", ["_csrf": try Browser.csrf(in: page.text)])
            #expect(out.status == .seeOther && out.headers[.location] == "/login")
            #expect(await browser.cookies["steward_session"] == nil)
            // The old cookie is dead on the hub too, not only in this browser.
            let replay = try await client.sendRaw(.get, "/servers", body: nil, headers: [.cookie: "steward_session=\(session)"])
            #expect(replay.status == .seeOther)
            #expect(try await client.send(.get, "/api/v1/audit").text.contains("console.logout"))
        }
    }

    @Test("sign-in attempts are limited per account, and the limit is audited")
    func throttled() async throws {
        // The clock stands still: however slowly bcrypt runs on a busy machine, no token refills.
        try await HubTestApp.run(clock: ManualClock().hubClock) { client in
            let browser = Browser(client)
            var last: HubTestApp.Client.Answer?
            for _ in 0..<6 { last = try await browser.signIn(password: "guess") }
            let answer = try #require(last)
            #expect(answer.status == .tooManyRequests)
            #expect(answer.headers[.retryAfter] != nil)
            #expect(answer.text.contains("Too many sign-in attempts"))
            // Even the right password waits now.
            #expect(try await browser.signIn().status == .tooManyRequests)
            // A flood of throttled attempts is one audit row per account and minute, with a count.
            for _ in 0..<10 { _ = try await browser.signIn(password: "guess") }
            let audit = try await client.send(.get, "/api/v1/audit?action=console.login_throttled").decode(
                Wire.Audit.Page.self)
            // (Two keys ran out by now: the account's and, after 17 attempts, the address's.)
            let keys = audit.items.compactMap { $0.detail["throttled_by"] }
            #expect((1...2).contains(audit.items.count), "\(audit.items.count) rows for 12 throttled attempts")
            #expect(keys.count == audit.items.count && Set(keys).count == keys.count, "\(audit.items.map(\.detail))")
            // An e-mail address longer than any real one is refused without a lookup, and stored capped.
            let long = String(repeating: "a", count: 500_000) + "@example.com"
            let page = try await browser.get("/login")
            let refused = try await browser.post(
                "/login", ["email": long, "password": "x", "next": "/servers", "_csrf": try Browser.csrf(in: page.text)])
            #expect([.unauthorized, .tooManyRequests].contains(refused.status))
            let rows = try await client.send(.get, "/api/v1/audit").text
            #expect(rows.utf8.count < 64 * 1024, "no audit row holds the half megabyte the form sent")
        }
    }

    @Test("only local paths are followed after sign-in: a good one is, tricks that browsers turn into another site are not")
    func noOpenRedirect() async throws {
        // Many sign-ins as one account: the clock moves a minute before each, past the account's limit.
        let clock = ManualClock()
        try await HubTestApp.run(clock: clock.hubClock) { client in
            for next in ["/jobs?status=failed", "/servers/abc-123", "/apps/webapp#install"] {
                clock.advance(by: 60)
                let answer = try await Browser(client).signIn(next: next)
                #expect(answer.headers[.location] == next, "a local path is followed: \(next)")
            }
            let tricks = [
                "//evil.example/x", "https://evil.example", "/\\evil.example", "/%09/evil.example", "/\t/evil.example",
                "/%5Cevil.example", "/%2F/evil.example", "/\n/evil.example", "/%0d%0a/evil.example", "/ /evil.example",
                "javascript:alert(1)", "/%zz", "", "evil.example",
            ]
            for next in tricks {
                clock.advance(by: 60)
                let answer = try await Browser(client).signIn(next: next)
                #expect(answer.headers[.location] == "/servers", "\(next.debugDescription)")
            }
        }
    }

    @Test("the fleet pages: servers listed, a server's facts and jobs, labels edited, decommission confirmed by name")
    func fleet() async throws {
        try await HubTestApp.run { client in
            let token = try await client.createToken()
            let enrolled = try await client.enroll(token: token.token, hostname: "web-1")
            let browser = Browser(client)
            _ = try await browser.signIn()
            let list = try await browser.get("/servers")
            #expect(list.text.contains(#"data-server-id="\#(enrolled.serverID)""#) && list.text.contains("web-1"))
            #expect(list.text.contains(#"data-empty-servers hidden>"#), "no empty state beside a server")
            let rows = try await browser.get("/servers?fragment=rows")
            #expect(rows.text.contains("web-1") && !rows.text.contains("<html"))

            let path = "/servers/\(enrolled.serverID)"
            let page = try await browser.get(path)
            #expect(page.status == .ok && page.text.contains("Facts") && page.text.contains("No jobs on this server yet."))
            let csrf = try Browser.csrf(in: page.text)

            #expect(try await browser.post(path + "/labels", ["labels": "env=prod"]).status == .forbidden)
            let bad = try await browser.post(path + "/labels", ["labels": "env=prod\nnot a label", "_csrf": csrf])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("is not key=value") && bad.text.contains("env=prod\nnot a label"), "the typed text is kept")
            let saved = try await browser.post(path + "/labels", ["labels": "env=prod\nrole = web", "_csrf": csrf])
            #expect(saved.status == .seeOther)
            #expect(try await browser.get(saved.headers[.location]!).text.contains("Labels saved."))
            let info = try await client.send(.get, "/api/v1/servers/\(enrolled.serverID)").decode(Wire.Server.Info.self)
            #expect(info.labels == ["env": "prod", "role": "web"])

            let wrongName = try await browser.post(path + "/decommission", ["confirm": "web-2", "_csrf": csrf])
            #expect(wrongName.status == .unprocessableContent && wrongName.text.contains("Type web-1 exactly"))
            #expect(try await browser.post(path + "/decommission", ["confirm": "web-1"]).status == .forbidden)
            let gone = try await browser.post(path + "/decommission", ["confirm": "web-1", "_csrf": csrf])
            #expect(gone.status == .seeOther && gone.headers[.location] == "/servers")
            #expect(try await browser.get(path).status == .notFound)
            #expect(try await browser.get("/servers").text.contains(#"<div class="empty" data-empty-servers>"#))
        }
    }
}

extension ConsoleTests {
    @Test("enrollment: a token is shown once with the agent command, errors keep the typed values, revoking needs the form token")
    func enrollment() async throws {
        try await HubTestApp.run { client in
            let browser = Browser(client)
            _ = try await browser.signIn()
            let page = try await browser.get("/enroll")
            #expect(page.status == .ok && page.text.contains("No registration tokens yet."))
            let csrf = try Browser.csrf(in: page.text)

            let bad = try await browser.post(
                "/enroll", ["description": "lab", "expires": "3600", "max_uses": "two", "labels": "env=lab", "_csrf": csrf])
            #expect(bad.status == .unprocessableContent && bad.text.contains("must be a whole number"))
            #expect(bad.text.contains(#"value="lab""#) && bad.text.contains(#"value="two""#), "typed values are kept")
            let badLabels = try await browser.post(
                "/enroll", ["description": "lab", "expires": "3600", "max_uses": "2", "labels": "no-equals", "_csrf": csrf])
            #expect(badLabels.status == .unprocessableContent && badLabels.text.contains("is not key=value"))
            #expect(try await browser.post("/enroll", ["description": "x", "max_uses": "1"]).status == .forbidden)

            let created = try await browser.post(
                "/enroll", ["description": "lab", "expires": "3600", "max_uses": "2", "labels": "env=lab", "_csrf": csrf])
            #expect(created.status == .ok)
            let command = try #require(created.text.firstMatch(of: /steward agent --hub http:\/\/[^ ]+ --token (stw_reg_[A-Za-z0-9_-]+)/))
            let token = String(command.1)
            #expect(created.text.contains("0 of 2") && created.text.contains("env=lab"))
            // The token works for enrollment, and the page never shows it again.
            _ = try await client.enroll(token: token, hostname: "from-console")
            let later = try await browser.get("/enroll")
            #expect(!later.text.contains(token) && later.text.contains("1 of 2"))

            let id = try #require(later.text.firstMatch(of: /action="\/enroll\/([0-9a-f-]+)\/revoke"/)).1
            #expect(try await browser.post("/enroll/\(id)/revoke", [:]).status == .forbidden)
            #expect(try await browser.post("/enroll/\(id)/revoke", ["_csrf": csrf]).status == .seeOther)
            #expect(try await browser.get("/enroll").text.contains("status revoked"))
            let audit = try await client.send(.get, "/api/v1/audit").text
            #expect(audit.contains("registration_token.create") && audit.contains("registration_token.revoke"))
            #expect(!audit.contains(token))
        }
    }
}

extension ConsoleTests {
    @Test("jobs: the list with filters, a job's page with its log and live stream, cancel and retry with the form token")
    func jobs() async throws {
        try await HubTestApp.run { client in
            let enrolled = try await client.enroll(token: try await client.createToken().token)
            func install(_ inputs: String) async throws -> Wire.Job.Info {
                let answer = try await client.send(
                    .post, "/api/v1/apps/webapp/install",
                    json:
                        #"{"server_id": "\#(enrolled.serverID)", "inputs": {"server_name": "shop.example.com", "acme_email": "ops@example.com"\#(inputs)}}"#
                )
                #expect(answer.status == .accepted, "\(answer.text)")
                return try answer.decode(Wire.Job.Info.self)
            }
            let typed = try await install(#", "api_key": "typed-secret-value""#)
            let plain = try await install("")
            let browser = Browser(client)
            _ = try await browser.signIn()

            let list = try await browser.get("/jobs")
            #expect(list.text.contains(typed.id) && list.text.contains(plain.id))
            #expect(try await browser.get("/jobs?status=failed").text.contains("No jobs match these filters"))
            #expect(try await browser.get("/jobs?status=queued&app=webapp").text.contains(plain.id))

            let page = try await browser.get("/jobs/\(plain.id)")
            #expect(page.status == .ok)
            #expect(page.text.contains(#"data-job-log="\#(plain.id)""#), "a live log while the job is not over")
            #expect(page.text.contains("Cancel this job") && !page.text.contains(">Retry<"))
            #expect(page.text.contains("Input API_KEY") == false && page.text.contains("Input SERVER_NAME"))
            let csrf = try Browser.csrf(in: page.text)
            #expect(try await browser.post("/jobs/\(plain.id)/cancel", [:]).status == .forbidden)
            #expect(try await browser.post("/jobs/\(plain.id)/cancel", ["_csrf": csrf]).status == .seeOther)
            let cancelled = try await browser.get("/jobs/\(plain.id)")
            #expect(cancelled.text.contains(#"id="job-status" role="status">cancelled"#) && cancelled.text.contains(">Retry<"))
            #expect(!cancelled.text.contains("data-job-log"), "no stream for a finished job")
            #expect(try await browser.post("/jobs/\(plain.id)/retry", ["_csrf": csrf]).status == .seeOther)
            #expect(try await client.send(.get, "/api/v1/jobs/\(plain.id)").decode(Wire.Job.Info.self).status == .queued)

            // A job with a typed password cannot be retried from here without it: the page says why.
            _ = try await browser.post("/jobs/\(typed.id)/cancel", ["_csrf": csrf])
            let refused = try await browser.post("/jobs/\(typed.id)/retry", ["_csrf": csrf])
            #expect(refused.status == .unprocessableContent && refused.text.contains("api_key: was erased"))
            #expect(!refused.text.contains("typed-secret-value"))

            let download = try await browser.get("/jobs/\(typed.id)/log.txt")
            #expect(download.status == .ok && download.headers[.contentDisposition]?.contains("attachment") == true)
            let stream = try await browser.get("/console/jobs/\(typed.id)/follow?offset=0")
            #expect(stream.headers[.contentType]?.hasPrefix("text/event-stream") == true && stream.text.contains("event: end"))
            #expect(try await browser.get("/jobs/nope").status == .notFound)
        }
    }
}

extension ConsoleTests {
    @Test("the catalog: apps by category, an install form generated from the manifest, errors next to fields, then the job")
    func catalog() async throws {
        try await HubTestApp.run { client in
            let browser = Browser(client)
            _ = try await browser.signIn()
            #expect(try await browser.get("/apps").text.contains("Web App"))
            #expect(try await browser.get("/apps?q=nothing-like-this").text.contains("No app matches"))
            let empty = try await browser.get("/apps/webapp")
            #expect(empty.text.contains("No servers yet"))

            let enrolled = try await client.enroll(token: try await client.createToken().token)
            let page = try await browser.get("/apps/webapp")
            let html = page.text
            // Each type gets its control; defaults are filled in; passwords say they can be generated.
            #expect(html.contains(#"<textarea id="in-motd""#))
            #expect(html.contains(#"id="in-workers" name="workers" type="number" value="4""#))
            #expect(html.contains(#"id="in-https_port" name="https_port" type="number" value="443" min="1" max="65535""#))
            #expect(html.contains(#"type="checkbox" id="in-enable_ssl" name="enable_ssl" value="true" checked"#))
            #expect(html.contains(#"id="in-acme_email" name="acme_email" type="email""#))
            #expect(html.contains(#"id="in-upstream" name="upstream" type="url""#))
            #expect(html.contains(#"<select id="in-size" name="size""#))
            #expect(html.contains(#"type="password" value="" autocomplete="new-password""#) && html.contains("generates a strong password"))
            #expect(html.contains("data-visible-if=") && html.contains(#"<span class="sr-only">(required)</span>"#))
            #expect(html.contains(#"<option value="\#(enrolled.serverID)""#))
            let csrf = try Browser.csrf(in: html)

            let form = [
                "server_id": enrolled.serverID, "server_name": "not a domain!", "acme_email": "ops@example.com", "workers": "4",
                "https_port": "443", "enable_ssl": "true", "size": "small", "title": "Shop", "api_key": "typed-secret-value",
            ]
            #expect(try await browser.post("/apps/webapp/install", form).status == .forbidden)
            let invalid = try await browser.post("/apps/webapp/install", form.merging(["_csrf": csrf]) { $1 })
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.text.contains(#"id="error-server_name""#), "the error is next to its field")
            #expect(invalid.text.contains(#"value="Shop""#) && invalid.text.contains(#"value="not a domain!""#), "values are kept")
            #expect(!invalid.text.contains("typed-secret-value"), "passwords are not")

            var fixed = form.merging(["_csrf": csrf, "server_name": "shop.example.com"]) { $1 }
            fixed["enable_ssl"] = nil  // an unticked box is not sent at all
            let queued = try await browser.post("/apps/webapp/install", fixed)
            #expect(queued.status == .seeOther)
            let location = try #require(queued.headers[.location])
            #expect(location.hasPrefix("/jobs/"))
            let job = try await client.send(.get, "/api/v1" + location).decode(Wire.Job.Info.self)
            #expect(job.appID == "webapp" && job.inputs["ENABLE_SSL"] == "false" && job.inputs["API_KEY"] == "****")
            #expect(try await browser.get(location).text.contains("webapp install"))
        }
    }
}

extension ConsoleTests {
    @Test("the audit page: newest first, filtered by actor and action, paged")
    func audit() async throws {
        try await HubTestApp.run { client in
            for _ in 0..<55 { _ = try await client.createToken() }
            let browser = Browser(client)
            _ = try await browser.signIn()
            let first = try await browser.get("/audit")
            #expect(first.status == .ok)
            let rows = first.text.components(separatedBy: "<tr><td><time").count - 1
            #expect(rows == 50)
            #expect(first.text.contains("<code>console.login</code>"), "the newest entry is the sign-in")
            let older = try #require(first.text.firstMatch(of: /href="(\/audit\?before=[0-9]+)" rel="next"/)).1
            let second = try await browser.get(String(older))
            #expect(second.text.components(separatedBy: "<tr><td><time").count - 1 == 6, "55 tokens and the sign-in, 50 a page")
            let logins = try await browser.get("/audit?action=console.login")
            #expect(logins.text.components(separatedBy: "<tr><td><time").count - 1 == 1)
            #expect(try await browser.get("/audit?actor=nobody@example.com").text.contains("matches these filters"))
            let api = try await client.send(.get, "/api/v1/audit?action=registration_token.create&limit=500")
            #expect(try api.decode(Wire.Audit.Page.self).items.count == 55)
        }
    }
}

extension HubTestApp.Client {
    /// A request with any body and headers, no token.
    func sendRaw(_ method: HTTPRequest.Method, _ uri: String, body: String?, headers: HTTPFields) async throws -> Answer {
        try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            Answer(status: response.status, headers: response.headers, body: Data(response.body.readableBytesView))
        }
    }
}
