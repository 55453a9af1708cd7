/// Who asks a service (jobs, accounts) for a change: the operator and tenant it acts in, and what goes
/// into the audit log.
public struct Requester: Sendable {
    public var identity: OperatorIdentity
    public var sourceAddress: String

    public init(identity: OperatorIdentity, sourceAddress: String) {
        self.identity = identity
        self.sourceAddress = sourceAddress
    }

    /// An audit record of this operator doing `action` to `target`.
    func audit(_ action: String, target: String, detail: [String: String] = [:]) -> AuditEvent {
        AuditEvent(
            tenantID: identity.tenantID, actor: identity.email, action: action, target: target, detail: detail,
            sourceAddress: sourceAddress)
    }
}

extension OperatorContext {
    var requester: Requester { Requester(identity: identity, sourceAddress: sourceAddress) }
}
