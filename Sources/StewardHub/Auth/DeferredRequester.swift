import Foundation

/// The operator on whose behalf the hub acts later: a rollout's later batches, a schedule's runs.
/// Kept with what they run, it names the operator in the jobs and the audit log, with the role
/// they had when they asked (`via` says what acted: `rollout:ID`, `schedule:ID`).
public struct DeferredRequester: Codable, Sendable, Equatable {
    public var userID: String
    public var email: String
    public var role: Role

    public init(_ requester: Requester) {
        userID = requester.identity.userID
        email = requester.identity.email
        role = requester.identity.role
    }

    enum CodingKeys: String, CodingKey {
        case email, role
        case userID = "user_id"
    }

    /// The requester to act as in `tenantID`.
    public func requester(tenantID: String, via: String) -> Requester {
        Requester(
            identity: OperatorIdentity(userID: userID, tenantID: tenantID, email: email, role: role, credentialID: via),
            sourceAddress: via)
    }
}
