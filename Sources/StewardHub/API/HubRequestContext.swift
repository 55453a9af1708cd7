import Hummingbird
import Logging
import NIOCore

/// The context of every request to the hub: who is calling and from where.
public struct HubRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's IP address, for the audit log and rate limits: the peer's, or the one a trusted
    /// proxy forwarded (``ClientAddressMiddleware``).
    public var sourceAddress: String
    /// Set by ``OperatorAuthMiddleware`` when the request carries a valid API token.
    var operatorIdentity: OperatorIdentity?
    /// Set by ``AgentAuthMiddleware`` when the request carries valid agent credentials.
    var agent: AgentRecord?
    /// Set by ``ConsoleSessionMiddleware`` when the request carries a live console session cookie
    /// (together with ``operatorIdentity``).
    var session: SessionRecord?
    /// Whether the console user has two-factor sign-in on, set with ``session``.
    var twoFactorOn = false
    /// The tenants a console user may switch to (every tenant for a hub administrator), set for
    /// signed-in pages by ``LoadConsoleTenants``.
    var consoleTenants: [TenantRecord] = []
    /// Whether the console user must turn two-factor sign-in on first: the session's tenant requires
    /// it of admins and owners.
    var mustSetUpTwoFactor = false
    /// What the console says about the hub's license on every page, set with ``consoleTenants``.
    var licenseNotice: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.sourceAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Requests are small JSON documents; anything bigger is refused with 413.
    public var maxUploadSize: Int { 1 << 20 }
}

/// A context whose request comes from a known operator (API token or console session).
protocol OperatorContext: RequestContext {
    var identity: OperatorIdentity { get }
    var sourceAddress: String { get }
}

extension OperatorContext {
    /// An audit record of this operator doing `action` to `target`.
    func audit(_ action: String, target: String, detail: [String: String] = [:]) -> AuditEvent {
        requester.audit(action, target: target, detail: detail)
    }
}

/// The context of routes that need an operator: constructing it fails with 401 when there is none.
struct OperatorRequestContext: ChildRequestContext, OperatorContext {
    var coreContext: CoreRequestContextStorage
    let identity: OperatorIdentity
    let sourceAddress: String

    init(context: HubRequestContext) throws {
        guard let identity = context.operatorIdentity else { throw APIError.unauthenticated }
        self.coreContext = context.coreContext
        self.identity = identity
        self.sourceAddress = context.sourceAddress
    }

    var maxUploadSize: Int { 1 << 20 }
}

/// The context of routes an enrolled agent calls: constructing it fails with 401 when there is no agent.
struct AgentRequestContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let agent: AgentRecord

    init(context: HubRequestContext) throws {
        guard let agent = context.agent else {
            throw APIError(
                .unauthorized, code: "unauthenticated", detail: "send agent credentials as 'Authorization: Bearer <agent id>:<secret>'")
        }
        self.coreContext = context.coreContext
        self.agent = agent
    }
}
