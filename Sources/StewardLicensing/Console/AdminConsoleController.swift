import Foundation
import HTTPTypes
import Hummingbird
import StewardCore
import StewardHub

/// The license service's small web console: sign in with the administrator key, then see clients,
/// instances, their license state, last telemetry and the spread of versions. It changes nothing but
/// its own session; changes go through the admin API.
struct AdminConsoleController {
    static let cookieName = "steward_licensing_session"

    let access: AdminAccess
    let licenses: LicenseService
    let store: LicensingStore
    let signInLimiter: RateLimiter

    func addRoutes(to group: RouterGroup<LicensingRequestContext>) {
        group.get("assets/console.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(string: ConsoleAssets.stylesheet)))
        }
        group.get("login") { _, _ in Self.html(AdminConsolePages.login(error: nil)) }
        group.post("login", use: login)
        group.post("logout", use: logout)
        group.get("/", use: overview)
        group.get("instances/{id}", use: instance)
    }

    struct LoginForm: Decodable {
        var admin_key: String?
    }

    @Sendable func login(request: Request, context: LicensingRequestContext) async throws -> Response {
        guard Self.isSameOrigin(request) else { return Self.html(AdminConsolePages.login(error: "Sign in from this page."), .forbidden) }
        if let wait = await signInLimiter.acquire(context.sourceAddress, now: access.clock.now) {
            var response = Self.html(AdminConsolePages.login(error: "Too many sign-in attempts. Try again in \(wait) s."), .tooManyRequests)
            response.headers[.retryAfter] = String(wait)
            return response
        }
        let buffer = try await request.body.collect(upTo: 4096)
        let form = (try? URLEncodedFormDecoder().decode(LoginForm.self, from: String(buffer: buffer))) ?? LoginForm()
        guard let token = try await access.signIn(with: form.admin_key ?? "") else {
            return Self.html(AdminConsolePages.login(error: "That is not the administrator key."), .unauthorized)
        }
        var response = Response(status: .seeOther, headers: [.location: "/"])
        response.setCookie(
            Cookie(
                name: Self.cookieName, value: token, maxAge: Int(AdminAccess.sessionLifetime), path: "/",
                secure: request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https", httpOnly: true, sameSite: .strict))
        return response
    }

    @Sendable func logout(request: Request, context: LicensingRequestContext) async throws -> Response {
        if Self.isSameOrigin(request), let token = request.cookies[Self.cookieName]?.value { try await access.signOut(token) }
        var response = Response(status: .seeOther, headers: [.location: "/login"])
        response.setCookie(Cookie(name: Self.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    @Sendable func overview(request: Request, context: LicensingRequestContext) async throws -> Response {
        guard try await isSignedIn(request) else { return Self.toLogin }
        let now = access.clock.now
        let instances = try await store.liveInstances().map { $0.instance(at: now) }
        return Self.html(AdminConsolePages.overview(clients: try await licenses.clients(), instances: instances))
    }

    @Sendable func instance(request: Request, context: LicensingRequestContext) async throws -> Response {
        guard try await isSignedIn(request) else { return Self.toLogin }
        let instance = try await licenses.instance(id: context.parameters.require("id"))
        let client = try await store.client(id: instance.clientID)
        let windows = try await licenses.telemetry(instanceID: instance.id, limit: 24)
        return Self.html(AdminConsolePages.instance(instance, client: client, windows: windows))
    }

    private func isSignedIn(_ request: Request) async throws -> Bool {
        guard let token = request.cookies[Self.cookieName]?.value else { return false }
        return try await access.isLiveSession(token)
    }

    /// A post the console's own page made: browsers send `Origin` with every form post, and a
    /// cross-site one would name another site. (The session cookie is `SameSite=Strict` as well.)
    private static func isSameOrigin(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin] else { return true }
        guard let host = request.head.authority else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    private static let toLogin = Response(status: .seeOther, headers: [.location: "/login", .cacheControl: "no-store"])

    private static func html(_ page: String, _ status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page)))
    }
}
