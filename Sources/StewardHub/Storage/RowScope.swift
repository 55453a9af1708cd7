/// Whose rows one database access may touch.
///
/// On PostgreSQL this is the second wall between tenants: every tenant table has a row-level
/// security policy (``Migrations/rowLevelSecurity``), and each access sets the scope for its own
/// transaction, so a query that forgot its `tenant_id` condition still sees only the tenant's rows,
/// and an access that set no scope sees none at all. On SQLite the `WHERE tenant_id = …` of each
/// ``Store`` method is the only wall.
public enum RowScope: Sendable, Hashable {
    /// One tenant's rows only: everything done for an operator of that tenant.
    case tenant(String)
    /// Every tenant's rows, for work that is not done for one tenant: authenticating agents, tokens
    /// and sessions, handing jobs to agents, the sweeper, account-wide changes of a user, and hub
    /// administrators' tenant management. Each use is listed in docs/ARCHITECTURE.md.
    case hub

    /// The values of the two settings the policies read: `steward.scope` and `steward.tenant_id`.
    var settings: (scope: String, tenantID: String) {
        switch self {
        case .tenant(let id): ("tenant", id)
        case .hub: ("hub", "")
        }
    }
}
