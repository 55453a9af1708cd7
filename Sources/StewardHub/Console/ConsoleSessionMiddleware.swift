import Foundation
import HTTPTypes
import Hummingbird
import Logging
import StewardCore

/// Recognises a console session cookie and sets the operator it belongs to. Without a live
/// session the request goes on unauthenticated; ``RequireSignIn`` decides what that means.
struct ConsoleSessionMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let store: Store
    let clock: HubClock

    static let cookieName = "steward_session"
    /// A session ends 12 hours after sign-in, or after 2 hours without a request.
    static let lifetime: TimeInterval = 12 * 3600
    static let idleTimeout: TimeInterval = 2 * 3600

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = request.cookies[Self.cookieName]?.value, token.hasPrefix(SecretToken.Kind.session.rawValue) else {
            return try await next(request, context)
        }
        let digest = SecretToken.Digest(of: token)
        guard let (session, user, role) = try await store.session(id: digest.lookupKey, now: clock.now, idleTimeout: Self.idleTimeout),
            ConstantTime.equals(session.tokenHash, digest.hash), user.disabledAt == nil, let role = role ?? (user.isHubAdmin ? .owner : nil)
        else { return try await next(request, context) }
        var context = context
        context.session = session
        context.operatorIdentity = OperatorIdentity(
            userID: user.id, tenantID: session.tenantID, email: user.email, role: role, isHubAdmin: user.isHubAdmin,
            credentialID: session.id)
        context.twoFactorOn = user.totpEnabledAt != nil
        context.logger[metadataKey: "operator.id"] = .string(user.id)
        return try await next(request, context)
    }
}

/// Sends a signed-out browser to the sign-in page, remembering where it wanted to go.
struct RequireSignIn: RouterMiddleware {
    typealias Context = HubRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.session == nil else { return try await next(request, context) }
        let wanted = request.method == .get ? request.uri.path : "/servers"
        let query = wanted == "/" ? "" : "?next=" + (wanted.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        return Response(status: .seeOther, headers: [.location: "/login" + query, .cacheControl: "no-store"])
    }
}

/// Loads, for signed-in pages only (not assets), the tenants the switcher offers, whether the
/// session's tenant requires a second factor the user has not turned on, and the license's notice.
struct LoadConsoleTenants: RouterMiddleware {
    typealias Context = HubRequestContext
    let store: Store
    let license: HubLicense

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let identity = context.operatorIdentity else { return try await next(request, context) }
        var context = context
        context.licenseNotice = license.notice()
        var tenants = try await store.tenants(of: identity.userID).map(\.tenant)
        if identity.isHubAdmin {
            let known = Set(tenants.map(\.id))
            tenants += try await store.allTenants().filter { !known.contains($0.id) }
        }
        context.consoleTenants = tenants
        let current = tenants.first { $0.id == identity.tenantID }
        context.mustSetUpTwoFactor = current?.requireTwoFactor == true && identity.role >= .admin && !context.twoFactorOn
        return try await next(request, context)
    }
}

/// Until an admin or owner of a tenant that requires two-factor sign-in has turned it on, every
/// console page but their account page (where they do it) and sign-out sends them there.
struct RequireTwoFactorSetup: RouterMiddleware {
    typealias Context = HubRequestContext
    static let allowed: Set<String> = ["/account", "/logout", "/tenant"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard context.mustSetUpTwoFactor, !Self.allowed.contains(path), !path.hasPrefix("/account/")
        else { return try await next(request, context) }
        return Response(status: .seeOther, headers: [.location: "/account?two_factor_required=1", .cacheControl: "no-store"])
    }
}

/// The context of console pages: a signed-in operator and their session.
struct ConsoleRequestContext: ChildRequestContext, OperatorContext {
    var coreContext: CoreRequestContextStorage
    let identity: OperatorIdentity
    let session: SessionRecord
    let sourceAddress: String
    let tenants: [TenantRecord]
    let mustSetUpTwoFactor: Bool
    let licenseNotice: String?

    init(context: HubRequestContext) throws {
        guard let identity = context.operatorIdentity, let session = context.session else { throw APIError.unauthenticated }
        self.coreContext = context.coreContext
        self.identity = identity
        self.session = session
        self.sourceAddress = context.sourceAddress
        self.tenants = context.consoleTenants
        self.mustSetUpTwoFactor = context.mustSetUpTwoFactor
        self.licenseNotice = context.licenseNotice
    }

    var maxUploadSize: Int { 1 << 20 }
}

/// Headers on every console page and asset: a Content-Security-Policy that allows only the hub's own
/// script and stylesheet (no inline script), no framing, no sniffing, no referrer.
package struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    package init() {}

    package static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'"
    }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.crossOriginOpenerPolicy] = "same-origin"
        response.headers[.permissionsPolicy] = "camera=(), microphone=(), geolocation=()"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let crossOriginOpenerPolicy = Self("Cross-Origin-Opener-Policy")!
    static let permissionsPolicy = Self("Permissions-Policy")!
}
