/// The operator behind a request, as proven by an API token or a console session, in the tenant the
/// request acts on.
public struct OperatorIdentity: Sendable, Equatable {
    public var userID: String
    /// The tenant the request acts on: the token's, the session's current one, or the one a hub
    /// administrator's token names in `X-Steward-Tenant`.
    public var tenantID: String
    public var email: String
    /// The role in that tenant (for a token, never above the role it was created with).
    public var role: Role
    /// Hub administrators create and delete tenants, and may act in any of them.
    public var isHubAdmin: Bool = false
    /// The id of the API token or console session that proved it.
    public var credentialID: String

    public func allows(_ permission: Permission) -> Bool {
        permission == .administerHub ? isHubAdmin : role.permissions.contains(permission)
    }
}
