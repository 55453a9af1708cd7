/// The operator behind a request, as proven by an API token.
public struct OperatorIdentity: Sendable, Equatable {
    public var userID: String
    public var tenantID: String
    public var email: String
    public var role: UserRecord.Role
    public var tokenID: String
}
