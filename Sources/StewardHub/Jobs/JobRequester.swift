/// Who asks the job service for a change: the tenant it acts in, and what goes into the audit log.
public struct JobRequester: Sendable {
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
    var requester: JobRequester { JobRequester(identity: identity, sourceAddress: sourceAddress) }
}
