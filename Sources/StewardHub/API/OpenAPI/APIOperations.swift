import OpenAPIKit
import StewardCore

/// Every operation of the hub's HTTP API (not the console's pages): what `GET /api/v1/openapi.json`
/// describes. `APIDocumentTests` holds it against the router, so a route cannot be added without it.
enum APIOperations {
    static let all: [APIOperation] = hub + fleet + jobs + lifecycle + watching + people + agents

    private typealias Op = APIOperation

    private static let id = "a resource id"
    private static let string = JSONSchema.string
    private static let integer = JSONSchema.integer
    private static let date = JSONSchema.string(format: .dateTime)
    private static let jobInfo = Op.Body.json(Wire.Job.Info.self)

    private static func op(
        _ method: OpenAPI.HttpMethod, _ path: String, _ summary: String, caller: Op.Caller = .operator, query: [Op.Query] = [],
        request: Op.Body = .none, requestOptional: Bool = false, status: Int = 200, _ response: Op.Body,
        mayAnswerNoContent: Bool = false
    ) -> Op {
        Op(
            method: method, path: path, summary: summary, caller: caller, query: query, request: request, requestOptional: requestOptional,
            status: status, response: response, mayAnswerNoContent: mayAnswerNoContent)
    }

    private static let hub: [Op] = [
        op(.get, "/api/v1/health", "The hub is up; its version and database", caller: .anyone, .json(Wire.Health.self)),
        op(.get, "/api/v1/openapi.json", "This document", caller: .anyone, .json(.object)),
        op(.get, "/install.sh", "The agent installer for this hub (POSIX sh)", caller: .anyone, .media("text/x-shellscript")),
        op(
            .get, "/downloads/{file}", "The agent binary steward-agent-linux-<arch>, or its .sha256", caller: .anyone,
            .media("application/octet-stream")),
        op(
            .get, "/api/v1/license", "Where this hub's license stands (unlicensed without a license service) and what it counts",
            .json(Wire.Licensing.HubStatus.self)),
        op(
            .get, "/api/v1/audit", "The audit log, newest first, a page at a time",
            query: [
                .query("limit", integer, "at most this many entries (1 to 500, default 50)"),
                .query("before", string, "the next_before of the previous page"),
                .query("actor", string, "only this actor's entries"), .query("action", string, "only this action, e.g. job.create"),
            ], .json(Wire.Audit.Page.self)),
        op(
            .get, "/api/v1/events", "Server-sent events of the tenant's fleet, live",
            query: [
                .query("server", string, "only this server's"), .query("job", string, "only this job's"),
                .query("kind", string, "only these kinds, comma-separated"),
            ], .media("text/event-stream")),
    ]

    private static let fleet: [Op] = [
        op(.get, "/api/v1/servers", "The tenant's servers", .list(Wire.Server.Info.self)),
        op(.get, "/api/v1/servers/{id}", "A server", .json(Wire.Server.Info.self)),
        op(
            .patch, "/api/v1/servers/{id}", "Change a server's name or labels", request: .json(Wire.Server.Patch.self),
            .json(Wire.Server.Info.self)),
        op(
            .delete, "/api/v1/servers/{id}", "Decommission a server (confirm with its name); its agent is revoked",
            request: .json(Wire.Confirmation.self), requestOptional: true, status: 204, .none),
        op(
            .get, "/api/v1/servers/{id}/metrics", "A server's host metrics as series of min/avg/max per step",
            query: [
                .query("names", string, "metric names or series keys, comma-separated, e.g. cpu.percent,memory.used_percent"),
                .query("from", date, "start (default: an hour ago)"), .query("to", date, "end (default: now)"),
                .query("step", integer, "seconds per point (the hub picks the resolution)"),
            ], .json(Wire.Metrics.Query.self)),
        op(
            .get, "/api/v1/servers/{id}/containers", "A server's Docker containers, as last reported",
            .json(Wire.Containers.List.self)),
        op(
            .get, "/api/v1/servers/{id}/config", "The files a server's config history tracks, or one file's versions",
            query: [.query("path", string, "one file's versions, newest first")], .list(Wire.ConfigHistory.Version.self)),
        op(
            .get, "/api/v1/servers/{id}/config/diff", "A unified diff between two versions, secret values masked",
            query: [.query("from", string, "a version id"), .query("to", string, "a version id")], .media("text/plain")),
        op(
            .get, "/api/v1/servers/{id}/config/export", "The config history as a bare git repository in a tar archive",
            .media("application/x-tar")),
        op(.post, "/api/v1/servers/{id}/config/check", "Queue a drift check of the tracked files", status: 202, jobInfo),
        op(
            .post, "/api/v1/servers/{id}/config/versions/{version}/restore",
            "Queue a job that writes a version back (confirm with its path)",
            request: .json(Wire.ConfigHistory.RestoreRequest.self), status: 202, jobInfo),
        op(.get, "/api/v1/registration-tokens", "Registration tokens (never their values)", .list(Wire.RegistrationToken.Info.self)),
        op(
            .post, "/api/v1/registration-tokens", "Create a registration token; its value and the hub key are shown once",
            request: .json(Wire.RegistrationToken.CreateRequest.self), status: 201, .json(Wire.RegistrationToken.Created.self)),
        op(.delete, "/api/v1/registration-tokens/{id}", "Revoke a registration token", status: 204, .none),
    ]

    private static let jobs: [Op] = [
        op(
            .get, "/api/v1/apps", "The catalog's apps",
            query: [.query("q", string, "words in the name or description"), .query("category", string, "one category")],
            .list(Wire.App.Summary.self)),
        op(.get, "/api/v1/apps/{id}", "An app with its inputs", .json(Wire.App.Detail.self)),
        op(
            .post, "/api/v1/apps/{id}/validate", "Check inputs for an app without installing it",
            request: .json(Wire.App.ValidateRequest.self), .json(Wire.App.ValidateResponse.self)),
        op(.post, "/api/v1/apps/{id}/install", "Queue an install job", request: .json(Wire.Job.AppRequest.self), status: 202, jobInfo),
        op(.post, "/api/v1/apps/{id}/uninstall", "Queue an uninstall job", request: .json(Wire.Job.AppRequest.self), status: 202, jobInfo),
        op(
            .get, "/api/v1/jobs", "Jobs, newest first (at most 200)",
            query: [
                .query("status", string, "only jobs with this status"), .query("server", string, "only this server's"),
                .query("app", string, "only this app's"),
            ], .list(Wire.Job.Info.self)),
        op(.post, "/api/v1/jobs", "Queue a job of steps", request: .json(Wire.Job.StepsRequest.self), status: 202, jobInfo),
        op(.get, "/api/v1/jobs/{id}", "A job with its attempts and step results", jobInfo),
        op(
            .get, "/api/v1/jobs/{id}/logs", "A job's log as text, or followed as server-sent events",
            query: [
                .query("offset", integer, "from this byte on"), .query("tail", integer, "only the last this many bytes"),
                .query("follow", string, "1 or true: server-sent events until the job ends"),
            ], .media("text/plain")),
        op(.post, "/api/v1/jobs/{id}/cancel", "Cancel a job", jobInfo),
        op(
            .post, "/api/v1/jobs/{id}/retry", "Queue a failed job again (secret inputs given anew)",
            request: .json(Wire.Job.RetryRequest.self), requestOptional: true, status: 202, jobInfo),
    ]

    private static let lifecycle: [Op] = [
        op(
            .get, "/api/v1/installations", "Installed apps", query: [.query("server", string, "only this server's")],
            .list(Wire.Installations.Item.self)),
        op(.get, "/api/v1/installations/{id}", "An installed app", .json(Wire.Installations.Item.self)),
        op(
            .patch, "/api/v1/installations/{id}", "Change an installation's health check interval",
            request: .json(Wire.Installations.Patch.self), .json(Wire.Installations.Item.self)),
        op(.get, "/api/v1/installations/{id}/health", "The last health checks, newest first", .list(Wire.Installations.Health.self)),
        op(.get, "/api/v1/installations/{id}/backups", "An installation's backups", .list(Wire.Installations.Backup.self)),
        op(.post, "/api/v1/installations/{id}/upgrade", "Queue an upgrade (snapshot first, rolled back on failure)", status: 202, jobInfo),
        op(
            .post, "/api/v1/installations/{id}/reconfigure", "Queue a reconfigure with new inputs",
            request: .json(Wire.Installations.ReconfigureRequest.self), status: 202, jobInfo),
        op(.post, "/api/v1/installations/{id}/uninstall", "Queue an uninstall", status: 202, jobInfo),
        op(.post, "/api/v1/installations/{id}/backup", "Queue a backup", status: 202, jobInfo),
        op(
            .post, "/api/v1/installations/{id}/restore", "Queue a restore of a backup",
            request: .json(Wire.Installations.RestoreRequest.self), status: 202, jobInfo),
        op(.post, "/api/v1/installations/{id}/check-health", "Queue a health check", status: 202, jobInfo),
        op(
            .post, "/api/v1/installations/{id}/credentials", "An installation's generated credentials (audited)",
            .json(Wire.Installations.Credentials.self)),
        op(.get, "/api/v1/rollouts", "Rollouts", .list(Wire.Rollouts.Info.self)),
        op(
            .post, "/api/v1/rollouts", "Start a rollout over the servers a selector picks, in batches",
            request: .json(Wire.Rollouts.Request.self), status: 201, .json(Wire.Rollouts.Info.self)),
        op(.get, "/api/v1/rollouts/{id}", "A rollout with its servers", .json(Wire.Rollouts.Info.self)),
        op(.post, "/api/v1/rollouts/{id}/cancel", "Cancel a rollout", .json(Wire.Rollouts.Info.self)),
        op(.get, "/api/v1/schedules", "Schedules", .list(Wire.Schedules.Info.self)),
        op(
            .post, "/api/v1/schedules", "Create a cron schedule", request: .json(Wire.Schedules.Request.self), status: 201,
            .json(Wire.Schedules.Info.self)),
        op(.get, "/api/v1/schedules/{id}", "A schedule", .json(Wire.Schedules.Info.self)),
        op(
            .patch, "/api/v1/schedules/{id}", "Change a schedule", request: .json(Wire.Schedules.Patch.self),
            .json(Wire.Schedules.Info.self)),
        op(.delete, "/api/v1/schedules/{id}", "Delete a schedule", status: 204, .none),
    ]

    private static let watching: [Op] = [
        op(
            .get, "/api/v1/fleet-events", "Stored fleet events, newest first",
            query: [
                .query("limit", integer, "at most this many (1 to 1000, default 100)"), .query("before", date, "older than this"),
                .query("server_id", string, "only this server's"), .query("kind", string, "only this kind"),
            ], .list(Wire.Alerting.FleetEvent.self)),
        op(
            .get, "/api/v1/alerts", "Alerts, newest first (at most 500)",
            query: [
                .query("state", string, "firing, acknowledged, resolved or pending; comma-separated"),
                .query("server_id", string, "only this server's"),
            ], .list(Wire.Alerting.Alert.self)),
        op(.get, "/api/v1/alerts/{id}", "An alert", .json(Wire.Alerting.Alert.self)),
        op(.post, "/api/v1/alerts/{id}/acknowledge", "Acknowledge a firing alert", .json(Wire.Alerting.Alert.self)),
        op(.get, "/api/v1/alert-rules", "Alert rules", .list(Wire.Alerting.Rule.self)),
        op(
            .post, "/api/v1/alert-rules", "Create an alert rule", request: .json(Wire.Alerting.RuleRequest.self), status: 201,
            .json(Wire.Alerting.Rule.self)),
        op(.get, "/api/v1/alert-rules/{id}", "An alert rule", .json(Wire.Alerting.Rule.self)),
        op(
            .patch, "/api/v1/alert-rules/{id}", "Change an alert rule", request: .json(Wire.Alerting.RulePatch.self),
            .json(Wire.Alerting.Rule.self)),
        op(.delete, "/api/v1/alert-rules/{id}", "Delete an alert rule", status: 204, .none),
        op(.get, "/api/v1/log-rules", "Log rules", .list(Wire.LogRules.Rule.self)),
        op(
            .post, "/api/v1/log-rules", "Create a log rule", request: .json(Wire.LogRules.Request.self), status: 201,
            .json(Wire.LogRules.Rule.self)),
        op(.get, "/api/v1/log-rules/{id}", "A log rule", .json(Wire.LogRules.Rule.self)),
        op(.patch, "/api/v1/log-rules/{id}", "Change a log rule", request: .json(Wire.LogRules.Patch.self), .json(Wire.LogRules.Rule.self)),
        op(.delete, "/api/v1/log-rules/{id}", "Delete a log rule", status: 204, .none),
        op(.get, "/api/v1/notification-channels", "Notification channels (never their secrets)", .list(Wire.Alerting.Channel.self)),
        op(
            .post, "/api/v1/notification-channels", "Create a notification channel", request: .json(Wire.Alerting.ChannelRequest.self),
            status: 201, .json(Wire.Alerting.Channel.self)),
        op(.delete, "/api/v1/notification-channels/{id}", "Delete a notification channel", status: 204, .none),
        op(.post, "/api/v1/notification-channels/{id}/test", "Send a test notification", .json(Wire.Alerting.Delivery.self)),
        op(
            .get, "/api/v1/notification-channels/{id}/deliveries", "A channel's deliveries, newest first",
            .list(Wire.Alerting.Delivery.self)),
    ]

    private static let people: [Op] = [
        op(
            .post, "/api/v1/auth/tokens", "Sign in with e-mail, password (and code) for an API token", caller: .anyone,
            request: .json(Wire.APIToken.SignInRequest.self), status: 201, .json(Wire.APIToken.Created.self)),
        op(
            .post, "/api/v1/invitations/accept", "Accept an invitation: become a member", caller: .anyone,
            request: .json(Wire.Invitation.AcceptRequest.self), status: 201, .json(Wire.User.Info.self)),
        op(.get, "/api/v1/users", "The tenant's members", .list(Wire.User.Info.self)),
        op(
            .patch, "/api/v1/users/{id}", "Change a member's role or disable them", request: .json(Wire.User.UpdateRequest.self),
            .json(Wire.User.Info.self)),
        op(
            .delete, "/api/v1/users/{id}", "Remove a member (confirm with their e-mail)", request: .json(Wire.Confirmation.self),
            requestOptional: true, status: 204, .none),
        op(.get, "/api/v1/invitations", "Invitations", .list(Wire.Invitation.Info.self)),
        op(
            .post, "/api/v1/invitations", "Invite someone; the link is shown once", request: .json(Wire.Invitation.CreateRequest.self),
            status: 201, .json(Wire.Invitation.Created.self)),
        op(.delete, "/api/v1/invitations/{id}", "Revoke an invitation", .json(Wire.Invitation.Info.self)),
        op(.get, "/api/v1/api-tokens", "Your API tokens", .list(Wire.APIToken.Info.self)),
        op(
            .post, "/api/v1/api-tokens", "Create an API token; its value is shown once", request: .json(Wire.APIToken.CreateRequest.self),
            requestOptional: true, status: 201, .json(Wire.APIToken.Created.self)),
        op(.delete, "/api/v1/api-tokens/{id}", "Revoke one of your API tokens", status: 204, .none),
        op(.post, "/api/v1/me/password", "Change your password", request: .json(Wire.User.PasswordChange.self), status: 204, .none),
        op(.get, "/api/v1/me/sessions", "Your console sessions", .list(Wire.Session.self)),
        op(.delete, "/api/v1/me/sessions/{id}", "End one of your sessions", status: 204, .none),
        op(.get, "/api/v1/me/sign-ins", "Your sign-ins, newest first", .list(Wire.Audit.Entry.self)),
        op(.post, "/api/v1/me/totp", "Start two-factor setup", .json(Wire.TwoFactor.Setup.self)),
        op(
            .post, "/api/v1/me/totp/confirm", "Confirm two-factor setup with a code; backup codes shown once",
            request: .json(Wire.TwoFactor.Code.self), .json(Wire.TwoFactor.BackupCodes.self)),
        op(
            .post, "/api/v1/me/totp/backup-codes", "New backup codes", request: .json(Wire.TwoFactor.Code.self),
            .json(Wire.TwoFactor.BackupCodes.self)),
        op(.delete, "/api/v1/me/totp", "Turn two-factor sign-in off", request: .json(Wire.TwoFactor.Code.self), status: 204, .none),
        op(.get, "/api/v1/tenants", "Your tenants", .list(Wire.Tenant.Info.self)),
        op(
            .post, "/api/v1/tenants", "Create a tenant (hub administrators)", request: .json(Wire.Tenant.Request.self), status: 201,
            .json(Wire.Tenant.Info.self)),
        op(
            .patch, "/api/v1/tenants/{id}", "Change a tenant's settings", request: .json(Wire.Tenant.Request.self),
            .json(Wire.Tenant.Info.self)),
        op(
            .delete, "/api/v1/tenants/{id}", "Delete a tenant and everything in it (confirm with its slug)",
            request: .json(Wire.Confirmation.self), requestOptional: true, status: 204, .none),
    ]

    private static let agents: [Op] = [
        op(
            .post, "/api/v1/agent/register", "Enroll with a registration token", caller: .anyone,
            request: .json(Wire.Registration.Request.self), status: 201, .json(Wire.Registration.Response.self)),
        op(
            .post, "/api/v1/agent/heartbeat", "An agent's heartbeat", caller: .agent, request: .json(Wire.Heartbeat.Request.self),
            .json(Wire.Heartbeat.Response.self)),
        op(
            .post, "/api/v1/agent/jobs/next", "Long poll for the next signed job (204: none came); the body is a heartbeat", caller: .agent,
            query: [
                .query("wait", integer, "seconds to wait (0 to 60, default 30)"),
                .query("concurrency", integer, "jobs the agent may run at once"),
                .query("run_id", string, "the run of the agent that polls"),
            ], request: .json(Wire.Heartbeat.Request.self), .json(Wire.JobEnvelope.self), mayAnswerNoContent: true),
        op(
            .post, "/api/v1/agent/jobs/{id}/logs", "A batch of a job's log lines", caller: .agent, request: .json(Wire.Job.LogBatch.self),
            status: 204, .none),
        op(
            .post, "/api/v1/agent/jobs/{id}/result", "A job attempt's result", caller: .agent, request: .json(Wire.Job.Result.self), jobInfo
        ),
        op(
            .post, "/api/v1/agent/metrics", "Host metrics samples", caller: .agent, request: .json(Wire.Metrics.Report.self), status: 204,
            .none),
        op(
            .post, "/api/v1/agent/containers", "The Docker containers and events an agent saw", caller: .agent,
            request: .json(Wire.Containers.Report.self), .json(Wire.Containers.ReportAnswer.self)),
    ]
}
