/// The operator behind a request, as proven by an API token or a console session.
public struct OperatorIdentity: Sendable, Equatable {
    public var userID: String
    public var tenantID: String
    public var email: String
    public var role: UserRecord.Role
    /// The id of the API token or console session that proved it.
    public var credentialID: String
}
