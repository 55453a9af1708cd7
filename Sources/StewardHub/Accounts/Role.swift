/// What a member may do in a tenant. Roles are ordered: each can do what the ones below it can.
public enum Role: String, Sendable, CaseIterable, Comparable, Codable {
    case viewer, `operator`, admin, owner

    /// Every permission of the role: the matrix in `docs/API.md`, kept here and nowhere else.
    public var permissions: Set<Permission> {
        switch self {
        case .viewer: [.read, .ownAccount]
        case .operator: Role.viewer.permissions.union([.runJobs, .editServers, .acknowledgeAlerts])
        case .admin:
            Role.operator.permissions.union([
                .enrollServers, .decommissionServers, .manageUsers, .manageTenant, .manageAlerts, .revealCredentials,
            ])
        case .owner: Role.admin.permissions.union([.manageAdmins, .deleteTenant])
        }
    }

    private var rank: Int { Role.allCases.firstIndex(of: self)! }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}
