import Foundation
import HTTPTypes
import Hummingbird
import StewardCore

/// The signed-in user's own account: password, two-factor sign-in (with the QR code), personal API
/// tokens, console sessions and sign-in history; and the tenant switcher. Every change goes through
/// ``AccountService``, as the API's do.
extension ConsoleController {
    /// What a post on the account page brings back to show: a notice, the errors of one card, or
    /// what is shown only once (backup codes, a new token).
    struct AccountOutcome {
        var notice: String?
        var password = ConsolePages.PasswordCard()
        var twoFactorError: String?
        var backupCodes: [String]?
        var tokenError: String?
        var createdToken: String?
    }

    @Sendable func accountPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        var outcome = AccountOutcome()
        if request.uri.queryParameters["two_factor_required"] != nil, context.mustSetUpTwoFactor {
            outcome.notice = "This tenant requires two-factor sign-in for admins and owners: set it up to go on."
        }
        return try await renderAccount(context, outcome)
    }

    struct PasswordForm: Decodable {
        var current_password: String?
        var new_password: String?
        var _csrf: String?
    }

    @Sendable func changePassword(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PasswordForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        var outcome = AccountOutcome()
        do {
            try await accounts.changePassword(
                .init(currentPassword: form.current_password ?? "", newPassword: form.new_password ?? ""), keeping: context.session.id,
                by: context.requester)
            outcome.notice = "Your password was changed; your other sessions were ended."
            return try await renderAccount(context, outcome)
        } catch let error as APIError where error.errors != nil {
            for problem in error.errors ?? [] {
                if problem.field == "current_password" { outcome.password.currentError = problem.message }
                if problem.field == "new_password" { outcome.password.newError = problem.message }
            }
            return try await renderAccount(context, outcome, status: .unprocessableContent)
        }
    }

    struct CodeForm: Decodable {
        var otp: String?
        var _csrf: String?
    }

    /// Starts a setup: a new secret whose QR code the account page then shows until a code confirms it.
    @Sendable func startTwoFactor(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(CodeForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        _ = try await accounts.startTOTP(by: context.requester)
        return Self.redirect(to: "/account#two-factor")
    }

    @Sendable func confirmTwoFactor(request: Request, context: ConsoleRequestContext) async throws -> Response {
        try await twoFactorChange(request, context) { otp in
            let codes = try await accounts.confirmTOTP(.init(otp: otp), by: context.requester)
            return AccountOutcome(notice: "Two-factor sign-in is on.", backupCodes: codes.backupCodes)
        }
    }

    @Sendable func newBackupCodes(request: Request, context: ConsoleRequestContext) async throws -> Response {
        try await twoFactorChange(request, context) { otp in
            let codes = try await accounts.regenerateBackupCodes(.init(otp: otp), by: context.requester)
            return AccountOutcome(notice: "New backup codes; the old ones no longer work.", backupCodes: codes.backupCodes)
        }
    }

    @Sendable func disableTwoFactor(request: Request, context: ConsoleRequestContext) async throws -> Response {
        try await twoFactorChange(request, context) { otp in
            try await accounts.disableTOTP(.init(otp: otp), by: context.requester)
            return AccountOutcome(notice: "Two-factor sign-in is off.")
        }
    }

    /// A two-factor form: a code is given, `change` uses it; a wrong code comes back as the card's error.
    private func twoFactorChange(
        _ request: Request, _ context: ConsoleRequestContext, _ change: (String) async throws -> AccountOutcome
    ) async throws -> Response {
        let form = try await Self.form(CodeForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let otp = String((form.otp ?? "").filter { !$0.isWhitespace }.prefix(64))
        do {
            return try await renderAccount(context, try await change(otp))
        } catch let error as APIError where [.unprocessableContent, .conflict].contains(error.status) {
            let message = error.errors?.first.map { "The code \($0.message)." } ?? error.detail
            return try await renderAccount(context, AccountOutcome(twoFactorError: message), status: error.status)
        }
    }

    struct APITokenForm: Decodable {
        var name: String?
        var role: String?
        var expires: String?
        var _csrf: String?
    }

    @Sendable func createAPIToken(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(APITokenForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let seconds = Int(form.expires ?? "") ?? 0
        let body = Wire.APIToken.CreateRequest(
            name: form.name, expiresAt: seconds > 0 ? clock.now.addingTimeInterval(TimeInterval(seconds)) : nil,
            role: form.role.flatMap { $0.isEmpty ? nil : $0 })
        do {
            let created = try await accounts.createToken(body, by: context.requester)
            return try await renderAccount(context, AccountOutcome(createdToken: created.token))
        } catch let error as APIError where error.errors != nil {
            let message = (error.errors ?? []).map { "\($0.field == "name" ? "Name" : "Role"): \($0.message)." }.joined(separator: " ")
            return try await renderAccount(context, AccountOutcome(tokenError: message), status: .unprocessableContent)
        }
    }

    @Sendable func revokeAPIToken(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        try await accounts.revokeToken(try context.parameters.require("id"), by: context.requester)
        return Self.redirect(to: "/account#tokens")
    }

    @Sendable func endOtherSession(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let id = try context.parameters.require("id")
        // Ending the session one is using is signing out, which has its own button.
        guard id != context.session.id else { return Self.redirect(to: "/account#sessions") }
        try await accounts.endSession(id, by: context.requester)
        return Self.redirect(to: "/account#sessions")
    }

    struct TenantSwitchForm: Decodable {
        var tenant: String?
        var _csrf: String?
    }

    @Sendable func switchTenant(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(TenantSwitchForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let wanted = String((form.tenant ?? "").prefix(100))
        guard !wanted.isEmpty else { return Self.redirect(to: "/servers") }
        _ = try await accounts.switchTenant(to: wanted, session: context.session.id, by: context.requester)
        return Self.redirect(to: "/servers")
    }

    func renderAccount(
        _ context: ConsoleRequestContext, _ outcome: AccountOutcome, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let requester = context.requester
        guard let user = try await store.user(id: context.identity.userID) else { throw APIError.unauthenticated }
        var setup: ConsolePages.TwoFactorSetup?
        if outcome.backupCodes == nil, let pending = try await accounts.pendingTOTP(of: requester) {
            setup = .init(svg: try QRCode(pending.otpauthURI).svg(), secret: pending.secret, uri: pending.otpauthURI)
        }
        let twoFactor = ConsolePages.TwoFactorCard(
            on: user.totpEnabledAt != nil, since: user.totpEnabledAt.map { ConsolePages.ago($0) } ?? "",
            backupCodesLeft: user.totpEnabledAt == nil ? 0 : try await store.unusedBackupCodes(userID: user.id), setup: setup,
            backupCodes: outcome.backupCodes, hasBackupCodes: outcome.backupCodes?.isEmpty == false, error: outcome.twoFactorError)
        let roles = Role.allCases.filter { $0 <= context.identity.role }.map {
            ConsolePages.Option(value: $0.rawValue, label: $0.rawValue, selected: $0 == context.identity.role)
        }
        let expiries = [("0", "never"), ("86400", "in 1 day"), ("2592000", "in 30 days"), ("31536000", "in 1 year")].map {
            ConsolePages.Option(value: $0.0, label: $0.1, selected: $0.0 == "0")
        }
        let tokens = try await accounts.tokens(of: requester).map(ConsolePages.TokenInfoRow.init)
        let sessions = try await accounts.sessions(of: requester).map {
            ConsolePages.SessionRow(
                id: $0.id, address: $0.sourceAddress, browser: Self.browserName($0.userAgent), created: ConsolePages.ago($0.createdAt),
                lastUsed: ConsolePages.ago($0.lastSeenAt), current: $0.id == context.session.id)
        }
        let signIns = try await accounts.signIns(of: requester).prefix(20).map { entry in
            ConsolePages.AuditRow(
                when: entry.createdAt.formatted(date: .abbreviated, time: .standard), iso: entry.createdAt.formatted(.iso8601),
                actor: entry.actor, action: Self.signInOutcome(entry.action), target: entry.target, detail: "", source: entry.sourceAddress)
        }
        var chrome = chrome(context)
        chrome.navAccount = true
        let page = ConsolePages.Account(
            chrome: chrome, csrf: context.session.csrfToken, name: user.name, email: user.email, role: context.identity.role.rawValue,
            tenant: chrome.tenantName, notice: outcome.notice, twoFactorRequired: context.mustSetUpTwoFactor,
            password: outcome.password, twoFactor: twoFactor,
            tokens: .init(
                roles: roles, expiries: expiries, error: outcome.tokenError, created: outcome.createdToken, rows: tokens,
                hasRows: !tokens.isEmpty),
            sessions: sessions, signIns: Array(signIns), hasSignIns: !signIns.isEmpty)
        return try render(page, "account", status: status)
    }

    /// "Firefox", "Chrome", "curl" … from a user agent, or the agent itself shortened.
    static func browserName(_ userAgent: String) -> String {
        for (needle, name) in [
            ("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("curl/", "curl"),
        ] where userAgent.contains(needle) {
            return userAgent.contains("HeadlessChrome") ? "Chrome (headless)" : name
        }
        return userAgent.isEmpty ? "unknown" : String(userAgent.prefix(40))
    }

    static func signInOutcome(_ action: String) -> String {
        switch action {
        case "console.login": "signed in to the console"
        case "api.sign_in": "signed in for an API token"
        case "console.login_failed", "api.sign_in_failed": "failed: wrong e-mail or password"
        case "console.login_throttled", "api.sign_in_throttled": "throttled: too many attempts"
        case "user.otp_failed": "failed: wrong two-factor code"
        case "user.backup_code_used": "used a backup code"
        default: action
        }
    }
}
