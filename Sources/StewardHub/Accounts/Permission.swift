/// Something a request may need to be allowed to do. Roles grant them (``Role/permissions``);
/// ``RoutePermissions`` says which one each route needs.
public enum Permission: String, Sendable, CaseIterable {
    /// Servers, apps, jobs, logs, the audit log and events of the tenant.
    case read = "fleet.read"
    /// Install and uninstall apps, run step jobs, cancel and retry jobs.
    case runJobs = "jobs.run"
    /// See installed apps' generated passwords and secret outputs in the clear (audited).
    case revealCredentials = "credentials.reveal"
    /// Change a server's labels.
    case editServers = "servers.edit"
    /// Acknowledge firing alerts.
    case acknowledgeAlerts = "alerts.acknowledge"
    /// Alert rules and notification channels.
    case manageAlerts = "alerts.manage"
    /// Registration tokens.
    case enrollServers = "registration_tokens.manage"
    case decommissionServers = "servers.decommission"
    /// Invite, disable and remove users; give roles below admin.
    case manageUsers = "users.manage"
    /// The tenant's settings (name, seat cap, two-factor rule).
    case manageTenant = "tenant.settings"
    /// Make or unmake admins and owners.
    case manageAdmins = "users.manage_admins"
    case deleteTenant = "tenant.delete"
    /// One's own password, two-factor and API tokens: every member.
    case ownAccount = "account.own"
    /// Create, list and delete tenants: hub administrators only, whatever their role.
    case administerHub = "hub.administer"
}
