import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StewardCore

/// Registration tokens: create (shown once with the agent command), list, revoke.
extension ConsoleController {
    @Sendable func enrollPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        try await renderEnroll(context, form: .init())
    }

    struct TokenFormInput: Decodable {
        var description: String?
        var expires: String?
        var max_uses: String?
        var labels: String?
        var _csrf: String?
    }

    @Sendable func createToken(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let input = try await Self.form(TokenFormInput.self, from: request, context: context)
        guard Self.validCSRF(input._csrf, context) else { return try renderCSRFError(context) }
        let form = ConsolePages.TokenForm(
            description: input.description ?? "", expires: input.expires ?? "86400", maxUses: input.max_uses ?? "1",
            labels: input.labels ?? "")
        var errors = ConsolePages.TokenErrors()
        guard let maxUses = Int(form.maxUses.trimmingCharacters(in: .whitespaces)) else {
            errors.maxUses = "must be a whole number (0 for no limit)"
            return try await renderEnroll(context, form: form, errors: errors, status: .unprocessableContent)
        }
        let (labels, labelsProblem) = Self.parseLabels(form.labels)
        if let labelsProblem {
            errors.labels = labelsProblem
            return try await renderEnroll(context, form: form, errors: errors, status: .unprocessableContent)
        }
        let seconds = Int(form.expires) ?? 86_400
        let body = Wire.RegistrationToken.CreateRequest(
            description: form.description, expiresInSeconds: seconds > 0 ? seconds : nil, maxUses: maxUses, labels: labels)
        do {
            let created = try await RegistrationTokenController.issue(body, store: store, now: clock.now, hubKey: hubKey, context: context)
            let commands = EnrollmentCommands(hubURL: Self.hubURL(request), token: created.token, hubKey: created.hubKey)
            return try await renderEnroll(
                context, form: .init(),
                created: .init(token: created.token, hubKey: created.hubKey, command: commands.agent, installer: commands.installer))
        } catch let error as APIError where error.errors != nil {
            for problem in error.errors ?? [] {
                switch problem.field {
                case "description": errors.description = problem.message
                case "max_uses": errors.maxUses = problem.message
                default: errors.labels = [errors.labels, "\(problem.field): \(problem.message)"].compactMap { $0 }.joined(separator: "; ")
                }
            }
            return try await renderEnroll(context, form: form, errors: errors, status: .unprocessableContent)
        }
    }

    @Sendable func revokeToken(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let id = try context.parameters.require("id")
        _ = try await store.revokeRegistrationToken(
            id: id, tenantID: context.identity.tenantID, at: clock.now,
            audit: context.audit("registration_token.revoke", target: "registration_token:\(id)"))
        return Self.redirect(to: "/enroll")
    }

    func renderEnroll(
        _ context: ConsoleRequestContext, form: ConsolePages.TokenForm, errors: ConsolePages.TokenErrors = .init(),
        created: ConsolePages.Created? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let now = clock.now
        let tokens = try await store.registrationTokens(tenantID: context.identity.tenantID).map {
            ConsolePages.TokenRow($0.info(at: now), csrf: context.session.csrfToken)
        }
        let options = [("3600", "in 1 hour"), ("86400", "in 1 day"), ("604800", "in 7 days"), ("2592000", "in 30 days"), ("0", "never")]
            .map { ConsolePages.Option(value: $0.0, label: $0.1, selected: $0.0 == form.expires) }
        var chrome = chrome(context)
        chrome.navEnroll = true
        let page = ConsolePages.Enroll(
            chrome: chrome, csrf: context.session.csrfToken, created: created, form: form, errors: errors, expiryOptions: options,
            tokens: tokens, hasTokens: !tokens.isEmpty)
        return try render(page, "enroll", status: status)
    }

    /// `key=value` lines as labels, or what is wrong with them.
    static func parseLabels(_ text: String) -> (labels: [String: String], problem: String?) {
        var labels: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let equals = line.firstIndex(of: "=") else { return ([:], "“\(line)” is not key=value") }
            labels[line[..<equals].trimmingCharacters(in: .whitespaces)] = line[line.index(after: equals)...].trimmingCharacters(
                in: .whitespaces)
        }
        return (labels, Labels.problems(labels).first?.message)
    }

    /// The hub's address as this browser reached it, for the agent command.
    static func hubURL(_ request: Request) -> String {
        let host = request.head.authority ?? "127.0.0.1:8080"
        return (isSecure(request) ? "https://" : "http://") + host
    }
}
