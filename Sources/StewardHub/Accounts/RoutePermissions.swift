import HTTPTypes

/// The permission every route of an operator (API token or console session) needs: one table for
/// the API and the console, enforced by ``PermissionMiddleware``. A route missing here is refused
/// to everyone, and the route-by-role test fails, so no route can go out unguarded.
public enum RoutePermissions {
    /// `"METHOD /path/{id}"` as the router names its routes.
    public static let table: [String: Permission] = [
        // API: the fleet.
        "GET /api/v1/servers": .read,
        "GET /api/v1/servers/{id}": .read,
        "GET /api/v1/servers/{id}/metrics": .read,
        "PATCH /api/v1/servers/{id}": .editServers,
        "DELETE /api/v1/servers/{id}": .decommissionServers,
        "GET /api/v1/registration-tokens": .enrollServers,
        "POST /api/v1/registration-tokens": .enrollServers,
        "DELETE /api/v1/registration-tokens/{id}": .enrollServers,
        "GET /api/v1/audit": .read,
        "GET /api/v1/events": .read,
        "GET /api/v1/apps": .read,
        "GET /api/v1/apps/{id}": .read,
        "POST /api/v1/apps/{id}/validate": .read,
        "POST /api/v1/apps/{id}/install": .runJobs,
        "POST /api/v1/apps/{id}/uninstall": .runJobs,
        "GET /api/v1/jobs": .read,
        "POST /api/v1/jobs": .runJobs,
        "GET /api/v1/jobs/{id}": .read,
        "GET /api/v1/jobs/{id}/logs": .read,
        "POST /api/v1/jobs/{id}/cancel": .runJobs,
        "POST /api/v1/jobs/{id}/retry": .runJobs,
        // API: people and tenants.
        "GET /api/v1/users": .manageUsers,
        "PATCH /api/v1/users/{id}": .manageUsers,
        "DELETE /api/v1/users/{id}": .manageUsers,
        "GET /api/v1/invitations": .manageUsers,
        "POST /api/v1/invitations": .manageUsers,
        "DELETE /api/v1/invitations/{id}": .manageUsers,
        "GET /api/v1/api-tokens": .ownAccount,
        "POST /api/v1/api-tokens": .ownAccount,
        "DELETE /api/v1/api-tokens/{id}": .ownAccount,
        "POST /api/v1/me/password": .ownAccount,
        "GET /api/v1/me/sessions": .ownAccount,
        "DELETE /api/v1/me/sessions/{id}": .ownAccount,
        "GET /api/v1/me/sign-ins": .ownAccount,
        "POST /api/v1/me/totp": .ownAccount,
        "POST /api/v1/me/totp/confirm": .ownAccount,
        "POST /api/v1/me/totp/backup-codes": .ownAccount,
        "DELETE /api/v1/me/totp": .ownAccount,
        "GET /api/v1/tenants": .ownAccount,
        "POST /api/v1/tenants": .administerHub,
        "PATCH /api/v1/tenants/{id}": .manageTenant,
        "DELETE /api/v1/tenants/{id}": .deleteTenant,
        // Console.
        "GET /": .read,
        "POST /logout": .ownAccount,
        "GET /servers": .read,
        "GET /servers/{id}": .read,
        "POST /servers/{id}/labels": .editServers,
        "POST /servers/{id}/decommission": .decommissionServers,
        "GET /apps": .read,
        "GET /apps/{id}": .read,
        "POST /apps/{id}/install": .runJobs,
        "GET /jobs": .read,
        "GET /jobs/{id}": .read,
        "GET /jobs/{id}/log.txt": .read,
        "GET /console/jobs/{id}/follow": .read,
        "POST /jobs/{id}/cancel": .runJobs,
        "POST /jobs/{id}/retry": .runJobs,
        "GET /audit": .read,
        "GET /enroll": .enrollServers,
        "POST /enroll": .enrollServers,
        "POST /enroll/{id}/revoke": .enrollServers,
        "GET /console/events": .read,
        "GET /account": .ownAccount,
        "POST /account/password": .ownAccount,
        "POST /account/two-factor": .ownAccount,
        "POST /account/two-factor/confirm": .ownAccount,
        "POST /account/two-factor/backup-codes": .ownAccount,
        "POST /account/two-factor/disable": .ownAccount,
        "POST /account/tokens": .ownAccount,
        "POST /account/tokens/{id}/revoke": .ownAccount,
        "POST /account/sessions/{id}/end": .ownAccount,
        "POST /tenant": .ownAccount,
        "GET /team": .manageUsers,
        "POST /team/invitations": .manageUsers,
        "POST /team/invitations/{id}/revoke": .manageUsers,
        "POST /team/members/{id}": .manageUsers,
        "POST /team/members/{id}/remove": .manageUsers,
        "POST /team/tenant": .manageTenant,
        "POST /team/tenant/delete": .deleteTenant,
        "GET /tenants": .administerHub,
        "POST /tenants": .administerHub,
    ]

    /// Routes that need no operator: health, the agents' routes (their own credentials), the
    /// sign-in pages and assets, and the two account routes whose body is the credential.
    public static let publicRoutes: Set<String> = [
        "GET /api/v1/health",
        "POST /api/v1/agent/register", "POST /api/v1/agent/heartbeat", "POST /api/v1/agent/jobs/next",
        "POST /api/v1/agent/jobs/{id}/logs", "POST /api/v1/agent/jobs/{id}/result",
        "POST /api/v1/agent/metrics",
        "POST /api/v1/auth/tokens", "POST /api/v1/invitations/accept",
        "GET /login", "POST /login", "GET /assets/console.css", "GET /assets/console.js",
        "GET /invitations/accept", "POST /invitations/accept",
    ]

    /// The permission `method` on the route `path` needs; `nil` when the route is not in the table.
    public static func required(_ method: HTTPRequest.Method, _ path: String) -> Permission? {
        table["\(method.rawValue) \(path)"]
    }
}
