import Foundation
import HTTPTypes
import Hummingbird
import StewardCore

/// The page an invitation's link opens: choose a name and a password (or give the password of the
/// account one has already), and the invitation is accepted through ``AccountService``.
extension ConsoleController {
    static let acceptCookie = "steward_accept"

    struct AcceptForm: Decodable {
        var token: String?
        var name: String?
        var password: String?
        var _csrf: String?
    }

    @Sendable func acceptPage(request: Request, context: HubRequestContext) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        return try renderAccept(token: token, name: "", error: token.isEmpty ? "This link has no invitation in it." : nil, status: .ok)
    }

    @Sendable func accept(request: Request, context: HubRequestContext) async throws -> Response {
        let form = try await Self.form(AcceptForm.self, from: request, context: context)
        let token = String((form.token ?? "").prefix(200))
        let name = String((form.name ?? "").prefix(AccountService.maxNameLength + 1))
        guard let expected = request.cookies[Self.acceptCookie]?.value, let given = form._csrf, ConstantTime.equals(expected, given) else {
            return try renderError(403, "The form has expired", "Open the invitation link again and try once more.", chrome: nil)
        }
        do {
            _ = try await accounts.accept(
                .init(token: token, name: name, password: String((form.password ?? "").prefix(SignIn.maxPasswordLength))),
                from: context.sourceAddress)
        } catch let error as APIError where [.notFound, .unprocessableContent].contains(error.status) {
            let message = error.errors.map {
                $0.map { "\($0.field == "name" ? "Name" : "Password"): \($0.message)." }.joined(separator: " ")
            }
            return try renderAccept(token: token, name: name, error: message ?? error.detail, status: error.status)
        }
        var response = Self.redirect(to: "/login")
        response.setCookie(Cookie(name: Self.acceptCookie, value: "", maxAge: 0, path: "/invitations", httpOnly: true, sameSite: .strict))
        return response
    }

    private func renderAccept(token: String, name: String, error: String?, status: HTTPResponse.Status) throws -> Response {
        let formToken = SecretToken.randomBase64URL(byteCount: 32)
        var response = try render(
            ConsolePages.Accept(formToken: formToken, token: token, name: name, error: error), "accept", status: status)
        response.setCookie(
            Cookie(name: Self.acceptCookie, value: formToken, maxAge: 3600, path: "/invitations", httpOnly: true, sameSite: .strict))
        return response
    }
}
