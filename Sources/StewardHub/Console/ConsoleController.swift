import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import Mustache
import NIOCore
import NIOPosix
import StewardCore

/// The web console: server-rendered pages for signed-in operators, sign-in and sign-out.
///
/// Every form post carries the session's CSRF token (the sign-in form a token of its own, in a
/// cookie); a post without the right one gets 403 and changes nothing.
struct ConsoleController {
    let store: Store
    let events: EventBus
    let jobs: JobService
    let clock: HubClock
    let catalog: AppCatalog
    let heartbeatInterval: Int
    /// The hub signing key's fingerprint, shown with new registration tokens.
    let hubKey: String
    let templates: MustacheLibrary
    let signIn: SignIn
    let accounts: AccountService
    let metrics: MetricsService
    let alertRules: AlertRuleService
    let logRules: LogRuleService
    let channels: ChannelService
    let installations: InstallationService
    let rollouts: RolloutService
    let schedules: ScheduleService
    let configHistory: ConfigHistoryService

    static let loginCookie = "steward_login"

    /// `public` gets the sign-in pages and assets; `signedIn` the pages that need an operator.
    func addRoutes(public open: RouterGroup<HubRequestContext>, signedIn: RouterGroup<ConsoleRequestContext>) {
        open.get("assets/console.css") { _, _ in Self.asset(ConsoleAssets.stylesheet, type: "text/css; charset=utf-8") }
        open.get("assets/console.js") { _, _ in Self.asset(ConsoleAssets.script, type: "text/javascript; charset=utf-8") }
        open.get("login", use: loginPage)
        open.post("login", use: login)
        open.get("invitations/accept", use: acceptPage)
        open.post("invitations/accept", use: accept)
        signedIn.get { _, _ in Response(status: .seeOther, headers: [.location: "/servers"]) }
        signedIn.post("logout", use: logout)
        signedIn.get("servers", use: servers)
        signedIn.get("servers/:id", use: server)
        signedIn.post("servers/:id/labels", use: saveLabels)
        signedIn.post("servers/:id/decommission", use: decommission)
        signedIn.post("servers/:id/containers/:name/:action", use: containerAction)
        signedIn.get("servers/:id/config", use: configHistoryPage)
        signedIn.get("servers/:id/config/diff", use: configDiffPage)
        signedIn.get("servers/:id/config/export", use: configExport)
        signedIn.post("servers/:id/config/check", use: checkConfig)
        signedIn.post("servers/:id/config/versions/:version/restore", use: restoreConfigVersion)
        signedIn.get("installations/:id", use: installationPage)
        signedIn.post("installations/:id/credentials", use: revealCredentials)
        signedIn.post("installations/:id/backups/:backup/restore", use: restoreInstallation)
        signedIn.post("installations/:id/schedule-backups", use: scheduleBackups)
        signedIn.get("rollouts", use: rolloutsPage)
        signedIn.get("rollouts/:id", use: rolloutPage)
        signedIn.post("rollouts/:id/cancel", use: cancelRollout)
        signedIn.get("schedules", use: schedulesPage)
        signedIn.post("schedules/:id/:action", use: scheduleAction)
        signedIn.post("installations/:id/:action", use: installationAction)
        signedIn.get("apps", use: appList)
        signedIn.get("apps/:id", use: appPage)
        signedIn.post("apps/:id/install", use: install)
        signedIn.get("jobs", use: jobList)
        signedIn.get("jobs/:id", use: jobPage)
        signedIn.get("jobs/:id/log.txt", use: jobLog)
        signedIn.get("console/jobs/:id/follow", use: followJob)
        signedIn.post("jobs/:id/cancel", use: cancelJob)
        signedIn.post("jobs/:id/retry", use: retryJob)
        signedIn.get("audit", use: auditLog)
        signedIn.get("alerts", use: alertsPage)
        signedIn.post("alerts/:id/acknowledge", use: acknowledgeAlert)
        signedIn.get("alerts/rules", use: rulesPage)
        signedIn.post("alerts/rules", use: createRule)
        signedIn.post("alerts/rules/:id/toggle", use: toggleRule)
        signedIn.post("alerts/rules/:id/delete", use: deleteRule)
        signedIn.get("alerts/log-rules", use: logRulesPage)
        signedIn.post("alerts/log-rules", use: createLogRule)
        signedIn.post("alerts/log-rules/:id/toggle", use: toggleLogRule)
        signedIn.post("alerts/log-rules/:id/delete", use: deleteLogRule)
        signedIn.get("alerts/channels", use: channelsPage)
        signedIn.post("alerts/channels", use: createChannel)
        signedIn.post("alerts/channels/:id/test", use: testChannel)
        signedIn.post("alerts/channels/:id/delete", use: deleteChannel)
        signedIn.get("events", use: eventsPage)
        signedIn.get("enroll", use: enrollPage)
        signedIn.post("enroll", use: createToken)
        signedIn.post("enroll/:id/revoke", use: revokeToken)
        signedIn.get("account", use: accountPage)
        signedIn.post("account/password", use: changePassword)
        signedIn.post("account/two-factor", use: startTwoFactor)
        signedIn.post("account/two-factor/confirm", use: confirmTwoFactor)
        signedIn.post("account/two-factor/backup-codes", use: newBackupCodes)
        signedIn.post("account/two-factor/disable", use: disableTwoFactor)
        signedIn.post("account/tokens", use: createAPIToken)
        signedIn.post("account/tokens/:id/revoke", use: revokeAPIToken)
        signedIn.post("account/sessions/:id/end", use: endOtherSession)
        signedIn.post("tenant", use: switchTenant)
        signedIn.get("team", use: teamPage)
        signedIn.post("team/invitations", use: invite)
        signedIn.post("team/invitations/:id/revoke", use: revokeInvitation)
        signedIn.post("team/members/:id", use: updateMember)
        signedIn.post("team/members/:id/remove", use: removeMember)
        signedIn.post("team/tenant", use: saveTenant)
        signedIn.post("team/tenant/delete", use: deleteTenant)
        signedIn.get("tenants", use: tenantsPage)
        signedIn.post("tenants", use: createTenant)
        EventsController(events: events).addRoutes(to: signedIn.group("console/events"))
    }

    // MARK: Sign-in

    @Sendable func loginPage(request: Request, context: HubRequestContext) async throws -> Response {
        if context.session != nil { return Self.redirect(to: "/servers") }
        return try renderLogin(next: request.uri.queryParameters["next"].map(String.init) ?? "", email: "", error: nil, status: .ok)
    }

    struct LoginForm: Decodable {
        var email: String?
        var password: String?
        var otp: String?
        var next: String?
        var _csrf: String?
    }

    @Sendable func login(request: Request, context: HubRequestContext) async throws -> Response {
        let form = try await Self.form(LoginForm.self, from: request, context: context)
        let email = String((form.email ?? "").trimmingCharacters(in: .whitespaces).prefix(SignIn.maxEmailLength + 1))
        let next = form.next ?? ""
        guard let expected = request.cookies[Self.loginCookie]?.value, let given = form._csrf, ConstantTime.equals(expected, given) else {
            return try renderError(403, "The form has expired", "Reload the sign-in page and try again.", chrome: nil)
        }
        let now = clock.now
        let user: UserRecord
        switch try await signIn.check(email: email, password: form.password ?? "", from: context.sourceAddress, channel: "console.login") {
        case .throttled(let wait):
            var response = try renderLogin(
                next: next, email: email, error: "Too many sign-in attempts. Try again in \(wait) s.", status: .tooManyRequests)
            response.headers[.retryAfter] = String(wait)
            return response
        case .busy:
            var response = try renderLogin(
                next: next, email: email, error: "The hub is busy checking other sign-ins. Try again in a moment.",
                status: .serviceUnavailable)
            response.headers[.retryAfter] = "1"
            return response
        case .failed:
            return try renderLogin(next: next, email: email, error: "The e-mail or the password is not right.", status: .unauthorized)
        case .success(let known):
            user = known
        }
        do {
            try await signIn.checkSecondFactor(of: user, otp: form.otp, from: context.sourceAddress)
        } catch let error as APIError where error.code == "otp_required" || error.code == "otp_invalid" {
            let message =
                error.code == "otp_required"
                ? "Enter the code from your authenticator app." : "The two-factor code is not right, or was used already."
            return try renderLogin(next: next, email: email, error: message, status: .unauthorized)
        }
        // The session acts in the tenant the user joined first (a switcher will choose another).
        guard let tenantID = try await store.tenants(of: user.id).first?.tenant.id ?? (user.isHubAdmin ? user.tenantID : nil) else {
            return try renderLogin(next: next, email: email, error: "This account is not a member of any tenant.", status: .forbidden)
        }
        let token = SecretToken.generate(.session)
        let digest = SecretToken.Digest(of: token)
        var session = SessionRecord(
            id: digest.lookupKey, tenantID: tenantID, userID: user.id, tokenHash: digest.hash,
            csrfToken: SecretToken.randomBase64URL(byteCount: 32), sourceAddress: context.sourceAddress, createdAt: now,
            expiresAt: now.addingTimeInterval(ConsoleSessionMiddleware.lifetime))
        session.userAgent = String((request.headers[.userAgent] ?? "").prefix(300))
        try await store.createSession(
            session,
            audit: AuditEvent(
                tenantID: tenantID, actor: user.email, action: "console.login", target: "user:\(user.id)",
                sourceAddress: context.sourceAddress))
        var response = Self.redirect(to: Self.safeNext(next))
        response.setCookie(
            Cookie(
                name: ConsoleSessionMiddleware.cookieName, value: token, maxAge: Int(ConsoleSessionMiddleware.lifetime), path: "/",
                secure: Self.isSecure(request), httpOnly: true, sameSite: .strict))
        response.setCookie(Cookie(name: Self.loginCookie, value: "", maxAge: 0, path: "/login", httpOnly: true, sameSite: .strict))
        return response
    }

    /// A form that carries nothing but its CSRF token.
    struct PlainForm: Decodable {
        var _csrf: String?
    }

    @Sendable func logout(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        try await store.deleteSession(
            id: context.session.id, audit: context.audit("console.logout", target: "user:\(context.identity.userID)"), at: clock.now)
        var response = Self.redirect(to: "/login")
        response.setCookie(
            Cookie(name: ConsoleSessionMiddleware.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    // MARK: Rendering

    func chrome(_ context: ConsoleRequestContext, servers: Bool = false) -> ConsolePages.Chrome {
        var chrome = ConsolePages.Chrome(context)
        chrome.navServers = servers
        return chrome
    }

    func render(_ page: Any, _ template: String, status: HTTPResponse.Status = .ok) throws -> Response {
        guard let html = templates.render(page, withTemplate: template) else { throw StoreError("no console template named \(template)") }
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    private func renderLogin(next: String, email: String, error: String?, status: HTTPResponse.Status) throws -> Response {
        let token = SecretToken.randomBase64URL(byteCount: 32)
        var response = try render(
            ConsolePages.Login(loginToken: token, next: Self.safeNext(next), email: email, error: error), "login", status: status)
        response.setCookie(Cookie(name: Self.loginCookie, value: token, maxAge: 3600, path: "/login", httpOnly: true, sameSite: .strict))
        return response
    }

    func renderError(_ code: Int, _ heading: String, _ message: String, chrome: ConsolePages.Chrome?) throws -> Response {
        try render(
            ConsolePages.ErrorPage(title: heading, chrome: chrome, heading: heading, message: message), "error",
            status: HTTPResponse.Status(code: code))
    }

    func renderCSRFError(_ context: ConsoleRequestContext) throws -> Response {
        try renderError(403, "The form has expired", "Go back, reload the page and try again.", chrome: chrome(context))
    }

    func notFound(_ context: ConsoleRequestContext, what: String = "server") throws -> Response {
        let message = what == "server" ? "There is no such server, or it was decommissioned." : "There is no such \(what)."
        return try renderError(404, "Not found", message, chrome: chrome(context))
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(to path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path, .cacheControl: "no-store"])
    }

    /// Only a path on this hub: never another site. Browsers drop tabs and line breaks from a URL and
    /// read `\` as `/`, so `/%09/evil.example` or `/\evil.example` would become `//evil.example`:
    /// anything but plain path characters is refused, in the value and in its percent-decoded form.
    static func safeNext(_ next: String) -> String {
        func isLocalPath(_ path: String) -> Bool {
            guard path.hasPrefix("/"), !path.hasPrefix("//"), path.utf8.count <= 2048 else { return false }
            return path.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && scalar.value > 0x20 && scalar.value < 0x7f && scalar != "\\"
            }
        }
        guard isLocalPath(next), let decoded = next.removingPercentEncoding, isLocalPath(decoded) else { return "/servers" }
        return next
    }

    /// The cookie is `Secure` when the browser reached the hub over TLS (directly or through a proxy
    /// that says so).
    static func isSecure(_ request: Request) -> Bool {
        request.uri.scheme == .https || request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https"
    }

    static func form<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let text = String(buffer: buffer)
        guard !text.contains("\0"), text.range(of: "%00", options: .caseInsensitive) == nil else {
            throw APIError(.badRequest, code: "nul_character", detail: "form values must not contain NUL characters")
        }
        do {
            return try URLEncodedFormDecoder().decode(T.self, from: text)
        } catch {
            throw APIError(.badRequest, code: "invalid_form", detail: "the form could not be read")
        }
    }

    /// Whether a post carried this session's CSRF token.
    static func validCSRF(_ given: String?, _ context: ConsoleRequestContext) -> Bool {
        guard let given else { return false }
        return ConstantTime.equals(given, context.session.csrfToken)
    }

}
