import Foundation
import HTTPTypes
import StewardCore
import StewardHub
import StewardTestSupport
import Synchronization
import Testing

/// Teams through the hub's router: the route-by-role matrix, invitations, personal tokens, tenants
/// and what one tenant can see of another.
struct AccountAPITests {
    static let password = "a long and quite unusual phrase"

    /// Invites `email` with `role` into the calling token's tenant, accepts, and signs in: the new member's token.
    static func member(
        _ client: HubTestApp.Client, _ email: String, role: Role, tenantHeader: String? = nil
    ) async throws -> String {
        var headers: HTTPFields = [:]
        if let tenantHeader { headers[HTTPField.Name("X-Steward-Tenant")!] = tenantHeader }
        let invited = try await client.send(
            .post, "/api/v1/invitations", json: #"{"email": "\#(email)", "role": "\#(role.rawValue)"}"#, headers: headers)
        #expect(invited.status == .created, "\(invited.text)")
        let invitation = try invited.decode(Wire.Invitation.Created.self)
        #expect(invitation.acceptURL.hasSuffix("/invitations/accept?token=" + invitation.token))
        let accepted = try await client.send(
            .post, "/api/v1/invitations/accept",
            body: Wire.Invitation.AcceptRequest(token: invitation.token, name: "Member", password: password), bearer: nil)
        #expect(accepted.status == .created, "\(accepted.text)")
        let signedIn = try await client.send(
            .post, "/api/v1/auth/tokens", body: Wire.APIToken.SignInRequest(email: email, password: password), bearer: nil)
        #expect(signedIn.status == .created, "\(signedIn.text)")
        return try signedIn.decode(Wire.APIToken.Created.self).token
    }

    @Test("every route is public or needs a permission, and each role gets exactly what the matrix gives it")
    func routeMatrix() async throws {
        let routes = Mutex<[String]>([])
        let keepRoutes: ([String]) -> Void = { found in routes.withLock { $0 = found } }
        try await HubTestApp.run(onRoutes: keepRoutes) { client in
            let all = routes.withLock { $0 }
            #expect(all.count > 40)
            for route in all {
                #expect(RoutePermissions.publicRoutes.contains(route) || RoutePermissions.table[route] != nil, "\(route) has no permission")
            }
            for route in RoutePermissions.table.keys { #expect(all.contains(route), "\(route) is in the table but not a route") }

            var tokens: [Role: String] = [:]
            for role in Role.allCases { tokens[role] = try await Self.member(client, "\(role.rawValue)-member@example.com", role: role) }
            let fakeID = "00000000-0000-4000-8000-000000000000"
            // The event stream never ends; every role may read it, so there is nothing to refuse.
            for (route, permission) in RoutePermissions.table where route.contains(" /api/v1/") && route != "GET /api/v1/events" {
                let parts = route.split(separator: " ", maxSplits: 1)
                let method = HTTPRequest.Method(String(parts[0]))!
                let path = parts[1].replacingOccurrences(of: "{id}", with: fakeID)
                for role in Role.allCases {
                    let answer = try await client.send(method, path, json: method == .get ? nil : "{}", bearer: tokens[role]!)
                    if role.permissions.contains(permission) {
                        #expect(answer.status != .forbidden, "\(role) on \(route): \(answer.text)")
                    } else {
                        #expect(answer.status == .forbidden, "\(role) on \(route) must be refused, got \(answer.status)")
                        #expect(answer.problem?.code == "forbidden")
                        #expect(answer.problem?.detail?.contains(permission.rawValue) == true)
                    }
                }
            }

            // The console's pages and forms, through each role's own signed-in browser, by the same table.
            var browsers: [Role: (browser: ConsoleTests.Browser, csrf: String)] = [:]
            for role in Role.allCases {
                let browser = ConsoleTests.Browser(client)
                #expect(try await browser.signIn(email: "\(role.rawValue)-member@example.com", password: Self.password).status == .seeOther)
                browsers[role] = (browser, try ConsoleTests.Browser.csrf(in: try await browser.get("/account").text))
            }
            // Sign-out ends the session, and the two streams never end; all three are for every member.
            let skipped: Set<String> = ["POST /logout", "GET /console/events", "GET /console/jobs/{id}/follow"]
            for (route, permission) in RoutePermissions.table where !route.contains(" /api/v1/") && !skipped.contains(route) {
                let parts = route.split(separator: " ", maxSplits: 1)
                let path = parts[1].replacingOccurrences(of: "{id}", with: fakeID)
                for role in Role.allCases {
                    let (browser, csrf) = browsers[role]!
                    let answer = parts[0] == "GET" ? try await browser.get(path) : try await browser.post(path, ["_csrf": csrf])
                    if role.permissions.contains(permission) {
                        #expect(answer.status != .forbidden, "\(role) on \(route): \(answer.status)")
                    } else {
                        #expect(answer.status == .forbidden, "\(role) on \(route) must be refused, got \(answer.status)")
                    }
                }
            }
        }
    }

    @Test("invitations: strong passwords only, one acceptance, a seat cap, and an existing account proves itself")
    func invitations() async throws {
        try await HubTestApp.run { client in
            let invited = try await client.send(.post, "/api/v1/invitations", json: #"{"email": "Dee@Example.com", "role": "viewer"}"#)
            let invitation = try invited.decode(Wire.Invitation.Created.self)
            #expect(invitation.invitation.email == "dee@example.com")
            for weak in ["short", "password1234", "aaaaaaaaaaaaaaaa"] {
                let refused = try await client.send(
                    .post, "/api/v1/invitations/accept",
                    body: Wire.Invitation.AcceptRequest(token: invitation.token, name: "Dee", password: weak), bearer: nil)
                #expect(refused.status == .unprocessableContent, "\(weak): \(refused.text)")
                #expect(refused.problem?.errors?.first?.field == "password")
            }
            let accept = Wire.Invitation.AcceptRequest(token: invitation.token, name: "Dee", password: Self.password)
            #expect(try await client.send(.post, "/api/v1/invitations/accept", body: accept, bearer: nil).status == .created)
            let again = try await client.send(.post, "/api/v1/invitations/accept", body: accept, bearer: nil)
            #expect(again.status == .notFound && again.problem?.code == "invitation_invalid")

            let listed = try await client.send(.get, "/api/v1/invitations").decode(Wire.ItemList<Wire.Invitation.Info>.self)
            #expect(listed.items.map(\.status) == ["accepted"])
            let duplicate = try await client.send(.post, "/api/v1/invitations", json: #"{"email": "dee@example.com", "role": "viewer"}"#)
            #expect(duplicate.status == .conflict && duplicate.problem?.code == "already_member")

            // A second tenant: the same person joins with the password of the account they have.
            let tenant = try await client.send(.post, "/api/v1/tenants", json: #"{"name": "Acme", "slug": "acme", "max_users": 1}"#)
            #expect(tenant.status == .created, "\(tenant.text)")
            var acme: HTTPFields = [:]
            acme[HTTPField.Name("X-Steward-Tenant")!] = "acme"
            let second = try await client.send(
                .post, "/api/v1/invitations", json: #"{"email": "dee@example.com", "role": "operator"}"#, headers: acme)
            let secondToken = try second.decode(Wire.Invitation.Created.self).token
            let full = try await client.send(
                .post, "/api/v1/invitations", json: #"{"email": "eve@example.com", "role": "viewer"}"#, headers: acme)
            #expect(full.status == .conflict && full.problem?.code == "seat_limit_reached")
            let takeover = try await client.send(
                .post, "/api/v1/invitations/accept",
                body: Wire.Invitation.AcceptRequest(token: secondToken, name: "x", password: "someone else's new password"), bearer: nil)
            #expect(takeover.status == .unprocessableContent, "a link alone does not take over an existing account")
            let joined = try await client.send(
                .post, "/api/v1/invitations/accept",
                body: Wire.Invitation.AcceptRequest(token: secondToken, name: "", password: Self.password), bearer: nil)
            #expect(joined.status == .created, "\(joined.text)")
            let token = try await client.send(
                .post, "/api/v1/auth/tokens",
                body: Wire.APIToken.SignInRequest(email: "dee@example.com", password: Self.password, tenant: "acme"),
                bearer: nil
            ).decode(Wire.APIToken.Created.self)
            #expect(token.apiToken.tenantID == (try tenant.decode(Wire.Tenant.Info.self)).id)
            let tenants = try await client.send(.get, "/api/v1/tenants", bearer: token.token).decode(Wire.ItemList<Wire.Tenant.Info>.self)
            #expect(tenants.items.map(\.slug) == ["default", "acme"])
            #expect(tenants.items.map(\.role) == ["viewer", "operator"])
        }
    }

    @Test(
        "one tenant sees nothing of another's servers, jobs, tokens, people or audit: lists are empty, ids are 404, never 403",
        arguments: TestDatabase.available)
    func isolation(database: TestDatabase) async throws {
        try await HubTestApp.run(database: database) { client in
            let (_, serverID) = try await AgentJobAPITests.agent(client)
            let queued = try await client.send(
                .post, "/api/v1/apps/webapp/install",
                json: #"{"server_id": "\#(serverID)", "inputs": {"server_name": "example.com", "acme_email": "ops@example.com"}}"#)
            let job = try queued.decode(Wire.Job.Info.self)
            let registration = try await client.createToken()
            let invited = try await client.send(.post, "/api/v1/invitations", json: #"{"email": "new@example.com", "role": "viewer"}"#)
            let invitation = try invited.decode(Wire.Invitation.Created.self).invitation
            let personal = try await client.send(.post, "/api/v1/api-tokens", json: #"{"name": "ci"}"#)
            let apiToken = try personal.decode(Wire.APIToken.Created.self).apiToken
            let users = try await client.send(.get, "/api/v1/users").decode(Wire.ItemList<Wire.User.Info>.self)
            let owner = try #require(users.items.first { $0.email == "owner@example.com" })
            #expect(try await client.send(.post, "/api/v1/tenants", json: #"{"name": "Acme", "slug": "acme"}"#).status == .created)
            let outsider = try await Self.member(client, "out@example.com", role: .owner, tenantHeader: "acme")

            #expect(try await client.send(.patch, "/api/v1/servers/\(serverID)", json: #"{"labels": {"env": "lab"}}"#).status == .ok)
            let rollout = try await client.send(
                .post, "/api/v1/rollouts",
                json:
                    #"{"action": "steps", "steps": [{"type": "file.read", "path": "/etc/hostname"}], "selector": {"labels": {"env": "lab"}}}"#
            )
            let schedule = try await client.send(
                .post, "/api/v1/schedules",
                json:
                    #"{"cron": "@daily", "action": {"server_id": "\#(serverID)", "steps": [{"type": "file.read", "path": "/etc/hostname"}]}}"#
            )
            let scheduleID = try schedule.decode(Wire.Schedules.Info.self).id
            let rolloutID = try rollout.decode(Wire.Rollouts.Info.self).id
            let foreign = [
                ("servers", serverID), ("jobs", job.id), ("registration-tokens", registration.info.id), ("invitations", invitation.id),
                ("api-tokens", apiToken.id), ("installations", job.installationID ?? "missing"), ("schedules", scheduleID),
                ("rollouts", rolloutID),
            ]
            for (list, id) in foreign {
                let answer = try await client.send(.get, "/api/v1/\(list)", bearer: outsider)
                #expect(answer.status == .ok, "\(list): \(answer.text)")
                #expect(!answer.text.contains(id), "\(list) shows another tenant's item: \(answer.text)")
            }
            let members = try await client.send(.get, "/api/v1/users", bearer: outsider).decode(Wire.ItemList<Wire.User.Info>.self)
            #expect(members.items.map(\.email) == ["out@example.com"])
            let tenants = try await client.send(.get, "/api/v1/tenants", bearer: outsider).text
            #expect(!tenants.contains("\"default\""), "\(tenants)")
            let tries: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/api/v1/servers/\(serverID)", nil), (.patch, "/api/v1/servers/\(serverID)", #"{"labels": {"a": "b"}}"#),
                (.delete, "/api/v1/servers/\(serverID)", #"{"confirm": "web-1"}"#), (.get, "/api/v1/jobs/\(job.id)", nil),
                (.get, "/api/v1/jobs/\(job.id)/logs", nil), (.post, "/api/v1/jobs/\(job.id)/cancel", "{}"),
                (.post, "/api/v1/jobs/\(job.id)/retry", "{}"),
                (.post, "/api/v1/jobs", #"{"server_id": "\#(serverID)", "steps": [{"type": "file.read", "path": "/etc/hostname"}]}"#),
                (.delete, "/api/v1/registration-tokens/\(registration.info.id)", nil),
                (.delete, "/api/v1/invitations/\(invitation.id)", nil),
                (.delete, "/api/v1/api-tokens/\(apiToken.id)", nil),
                (.patch, "/api/v1/users/\(owner.id)", #"{"role": "viewer"}"#),
                (.delete, "/api/v1/users/\(owner.id)", #"{"confirm": "owner@example.com"}"#),
                (.patch, "/api/v1/tenants/default", #"{"name": "Taken"}"#),
                (.get, "/api/v1/installations/\(job.installationID ?? "")", nil),
                (.patch, "/api/v1/installations/\(job.installationID ?? "")", #"{"health_interval_seconds": 0}"#),
                (.get, "/api/v1/installations/\(job.installationID ?? "")/health", nil),
                (.get, "/api/v1/installations/\(job.installationID ?? "")/backups", nil),
                (.post, "/api/v1/installations/\(job.installationID ?? "")/upgrade", nil),
                (.post, "/api/v1/installations/\(job.installationID ?? "")/uninstall", nil),
                (.post, "/api/v1/installations/\(job.installationID ?? "")/backup", nil),
                (.post, "/api/v1/installations/\(job.installationID ?? "")/check-health", nil),
                (.post, "/api/v1/installations/\(job.installationID ?? "")/credentials", nil),
                (.post, "/api/v1/installations/\(job.installationID ?? "")/reconfigure", #"{"inputs": {"title": "Taken"}}"#),
                (.get, "/api/v1/rollouts/\(rolloutID)", nil), (.post, "/api/v1/rollouts/\(rolloutID)/cancel", nil),
                (.get, "/api/v1/schedules/\(scheduleID)", nil), (.patch, "/api/v1/schedules/\(scheduleID)", #"{"enabled": false}"#),
                (.delete, "/api/v1/schedules/\(scheduleID)", nil),
                (.post, "/api/v1/installations/\(job.installationID ?? "")/restore", #"{"backup_id": "x", "confirm": "webapp"}"#),
                (.delete, "/api/v1/tenants/default", #"{"confirm": "default"}"#),
                (.get, "/api/v1/servers/\(serverID)/config", nil), (.get, "/api/v1/servers/\(serverID)/config/diff?from=a&to=b", nil),
                (.get, "/api/v1/servers/\(serverID)/config/export", nil), (.post, "/api/v1/servers/\(serverID)/config/check", nil),
                (.post, "/api/v1/servers/\(serverID)/config/versions/v/restore", #"{"confirm": "/etc/hostname"}"#),
            ]
            for (method, path, body) in tries {
                let answer = try await client.send(method, path, json: body, bearer: outsider)
                #expect([.notFound, .unprocessableContent].contains(answer.status), "\(method) \(path): \(answer.status) \(answer.text)")
            }
            // Everything is untouched for its own tenant.
            #expect(try await AgentJobAPITests.job(client, job.id).status == .queued)
            let tokens = try await client.send(.get, "/api/v1/registration-tokens").decode(
                Wire.ItemList<Wire.RegistrationToken.Info>.self)
            #expect(tokens.items.first { $0.id == registration.info.id }?.revokedAt == nil)
            #expect(try await client.send(.get, "/api/v1/invitations").text.contains(invitation.id))
            #expect(try await client.send(.get, "/api/v1/api-tokens").text.contains(apiToken.id))
            let after = try await client.send(.get, "/api/v1/users").decode(Wire.ItemList<Wire.User.Info>.self)
            #expect(after.items.first { $0.id == owner.id }?.role == "owner")
            #expect(try await client.send(.get, "/api/v1/servers/\(serverID)").status == .ok)
            let audit = try await client.send(.get, "/api/v1/audit", bearer: outsider).text
            #expect(!audit.contains(serverID) && !audit.contains(job.id))
        }
    }

    @Test("tokens: no role above one's own, revoked and disabled ones stop at once, the last owner stays, removals are confirmed")
    func tokensAndUsers() async throws {
        try await HubTestApp.run { client in
            let operatorToken = try await Self.member(client, "op@example.com", role: .operator)
            let tooHigh = try await client.send(
                .post, "/api/v1/api-tokens", json: #"{"name": "x", "role": "admin"}"#, bearer: operatorToken)
            #expect(tooHigh.status == .unprocessableContent)
            let created = try await client.send(
                .post, "/api/v1/api-tokens", json: #"{"name": "ci", "role": "viewer"}"#, bearer: operatorToken)
            let readOnly = try created.decode(Wire.APIToken.Created.self)
            #expect(try await client.send(.get, "/api/v1/servers", bearer: readOnly.token).status == .ok)
            let refused = try await client.send(.post, "/api/v1/jobs", json: "{}", bearer: readOnly.token)
            #expect(refused.status == .forbidden, "a viewer token of an operator cannot run jobs")
            #expect(
                try await client.send(.delete, "/api/v1/api-tokens/\(readOnly.apiToken.id)", bearer: operatorToken).status == .noContent)
            #expect(try await client.send(.get, "/api/v1/servers", bearer: readOnly.token).status == .unauthorized)

            let users = try await client.send(.get, "/api/v1/users").decode(Wire.ItemList<Wire.User.Info>.self)
            let op = try #require(users.items.first { $0.email == "op@example.com" })
            let owner = try #require(users.items.first { $0.email == "owner@example.com" })
            #expect(owner.hubAdmin && owner.role == "owner")
            #expect(try await client.send(.patch, "/api/v1/users/\(op.id)", json: #"{"disabled": true}"#).status == .ok)
            #expect(try await client.send(.get, "/api/v1/servers", bearer: operatorToken).status == .unauthorized)
            #expect(try await client.send(.patch, "/api/v1/users/\(op.id)", json: #"{"disabled": false}"#).status == .ok)
            #expect(try await client.send(.get, "/api/v1/servers", bearer: operatorToken).status == .ok)

            // An admin of one tenant cannot lock a member of another tenant out of both.
            #expect(try await client.send(.post, "/api/v1/tenants", json: #"{"name": "Other", "slug": "other"}"#).status == .created)
            var other: HTTPFields = [:]
            other[HTTPField.Name("X-Steward-Tenant")!] = "other"
            let adminToken = try await Self.member(client, "adm@example.com", role: .admin)
            _ = try await Self.member(client, "both@example.com", role: .viewer)
            let second = try await client.send(
                .post, "/api/v1/invitations", json: #"{"email": "both@example.com", "role": "viewer"}"#, headers: other)
            let secondToken = try second.decode(Wire.Invitation.Created.self).token
            #expect(
                try await client.send(
                    .post, "/api/v1/invitations/accept",
                    body: Wire.Invitation.AcceptRequest(token: secondToken, name: "", password: Self.password), bearer: nil
                ).status == .created)
            let both = try #require(
                try await client.send(.get, "/api/v1/users").decode(Wire.ItemList<Wire.User.Info>.self).items.first {
                    $0.email == "both@example.com"
                })
            let lockout = try await client.send(.patch, "/api/v1/users/\(both.id)", json: #"{"disabled": true}"#, bearer: adminToken)
            #expect(lockout.status == .forbidden, "\(lockout.text)")

            let demote = try await client.send(.patch, "/api/v1/users/\(owner.id)", json: #"{"role": "admin"}"#)
            #expect(demote.status == .conflict && demote.problem?.code == "last_owner")
            let unconfirmed = try await client.send(.delete, "/api/v1/users/\(op.id)", json: "{}")
            #expect(unconfirmed.status == .unprocessableContent && unconfirmed.problem?.code == "confirmation_required")
            #expect(try await client.send(.delete, "/api/v1/users/\(op.id)", json: #"{"confirm": "op@example.com"}"#).status == .noContent)
            #expect(try await client.send(.get, "/api/v1/servers", bearer: operatorToken).status == .unauthorized)
        }
    }

    @Test("sign-in for a token: wrong password 401 invalid_credentials, and a password change ends the old one's use")
    func signInAndPassword() async throws {
        try await HubTestApp.run { client in
            let wrong = try await client.send(
                .post, "/api/v1/auth/tokens", body: Wire.APIToken.SignInRequest(email: "owner@example.com", password: "nope"), bearer: nil)
            #expect(wrong.status == .unauthorized && wrong.problem?.code == "invalid_credentials")
            let change = Wire.User.PasswordChange(currentPassword: "correct horse battery staple", newPassword: Self.password)
            #expect(try await client.send(.post, "/api/v1/me/password", body: change).status == .noContent)
            let old = try await client.send(
                .post, "/api/v1/auth/tokens",
                body: Wire.APIToken.SignInRequest(email: "owner@example.com", password: "correct horse battery staple"), bearer: nil)
            #expect(old.status == .unauthorized)
            let new = try await client.send(
                .post, "/api/v1/auth/tokens", body: Wire.APIToken.SignInRequest(email: "owner@example.com", password: Self.password),
                bearer: nil)
            #expect(new.status == .created)
        }
    }

    @Test("an invitation's link opens the console's accept page; the new member then signs in to the console")
    func acceptInConsole() async throws {
        try await HubTestApp.run { client in
            let invited = try await client.send(.post, "/api/v1/invitations", json: #"{"email": "fay@example.com", "role": "viewer"}"#)
            let link = try invited.decode(Wire.Invitation.Created.self).acceptURL
            let path = String(link[try #require(link.range(of: "/invitations/accept"))!.lowerBound...])
            let browser = ConsoleTests.Browser(client)
            let page = try await browser.get(path)
            #expect(page.status == .ok && page.text.contains("Accept the invitation"))
            func submit(_ password: String) async throws -> HubTestApp.Client.Answer {
                let form = try await browser.get(path)
                let token = try #require(form.text.firstMatch(of: /name="token" value="([^"]+)"/)).1
                return try await browser.post(
                    "/invitations/accept",
                    ["token": String(token), "name": "Fay", "password": password, "_csrf": try ConsoleTests.Browser.csrf(in: form.text)])
            }
            let weak = try await submit("short")
            #expect(weak.status == .unprocessableContent && weak.text.contains("at least 12 characters"))
            let accepted = try await submit(Self.password)
            #expect(accepted.status == .seeOther && accepted.headers[.location] == "/login")
            let again = try await submit(Self.password)
            #expect(again.status == .notFound && again.text.contains("not valid"))

            let login = try await browser.get("/login")
            let signedIn = try await browser.post(
                "/login",
                [
                    "email": "fay@example.com", "password": Self.password, "next": "/servers",
                    "_csrf": try ConsoleTests.Browser.csrf(in: login.text),
                ])
            #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/servers")
            // A viewer reads, and the enrollment page (admins) is refused.
            #expect(try await browser.get("/servers").status == .ok)
            #expect(try await browser.get("/enroll").status == .forbidden)
        }
    }

    @Test("a user's console sessions are listed with address and browser and can be ended; sign-ins are listed")
    func sessionsAndSignIns() async throws {
        try await HubTestApp.run { client in
            let first = ConsoleTests.Browser(client)
            let second = ConsoleTests.Browser(client)
            #expect(try await first.signIn(password: "not the password").status == .unauthorized)
            #expect(try await first.signIn().status == .seeOther)
            #expect(try await second.signIn().status == .seeOther)
            let sessions = try await client.send(.get, "/api/v1/me/sessions").decode(Wire.ItemList<Wire.Session>.self).items
            #expect(sessions.count == 2)
            #expect(sessions.allSatisfy { $0.userAgent == "steward-test-browser" })
            let ended = try #require(sessions.first)
            #expect(try await client.send(.delete, "/api/v1/me/sessions/\(ended.id)").status == .noContent)
            #expect(try await client.send(.delete, "/api/v1/me/sessions/\(ended.id)").status == .notFound)
            let signedOut = [try await first.get("/servers"), try await second.get("/servers")].filter { $0.status == .seeOther }
            #expect(signedOut.count == 1, "exactly the ended session is signed out")

            let signIns = try await client.send(.get, "/api/v1/me/sign-ins").decode(Wire.ItemList<Wire.Audit.Entry>.self).items
            #expect(signIns.map(\.action) == ["console.login", "console.login", "console.login_failed"])
        }
    }
}
