import Foundation
import HTTPTypes
import Hummingbird
import StewardCore

/// An installation's page (health history, backups, what an upgrade would do) and its buttons,
/// through ``InstallationService``, as for the API.
extension ConsoleController {
    @Sendable func installationPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        try await renderInstallation(try context.parameters.require("id"), context: context)
    }

    /// `POST /installations/{id}/{action}` for upgrade, backup, check-health and uninstall: queues
    /// the job and shows it.
    @Sendable func installationAction(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(ConfirmForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let id = try context.parameters.require("id")
        let action = try context.parameters.require("action")
        do {
            let job: JobRecord
            switch action {
            case "upgrade": job = try await installations.upgrade(id, by: context.requester)
            case "backup": job = try await installations.backup(id, by: context.requester)
            case "uninstall":
                let installation = try await installations.installation(id, tenantID: context.identity.tenantID)
                guard form.confirm?.trimmingCharacters(in: .whitespaces) == installation.appID else {
                    return try await renderInstallation(
                        id, context: context, confirmError: "Type \(installation.appID) exactly to remove it.",
                        status: .unprocessableContent)
                }
                job = try await installations.uninstall(id, by: context.requester)
            case "check-health":
                let installation = try await installations.installation(id, tenantID: context.identity.tenantID)
                guard let queued = try await installations.checkHealth(installation, by: context.requester) else {
                    return try await renderInstallation(
                        id, context: context, error: "A health check is waiting or running already.", status: .conflict)
                }
                job = queued
            default:
                return try notFound(context, what: "installation action")
            }
            return Self.redirect(to: "/jobs/\(job.id)")
        } catch let error as APIError where error.status == .notFound {
            return try notFound(context, what: "installation")
        } catch let error as APIError where [.conflict, .unprocessableContent].contains(error.status) {
            return try await renderInstallation(id, context: context, error: error.detail, status: error.status)
        }
    }

    struct ConfirmForm: Decodable {
        var confirm: String?
        var _csrf: String?
    }

    /// `POST /installations/{id}/backups/{backup}/restore`, confirmed with the app's id.
    @Sendable func restoreInstallation(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(ConfirmForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let id = try context.parameters.require("id")
        let backup = try context.parameters.require("backup")
        do {
            let job = try await installations.restore(
                id, .init(backupID: backup, confirm: form.confirm?.trimmingCharacters(in: .whitespaces)), by: context.requester)
            return Self.redirect(to: "/jobs/\(job.id)")
        } catch let error as APIError where error.status == .notFound {
            return try notFound(context, what: "installation")
        } catch let error as APIError where [.conflict, .unprocessableContent].contains(error.status) {
            let message = error.errors?.first?.message ?? error.detail
            return try await renderInstallation(id, context: context, error: message, status: error.status)
        }
    }

    /// `POST /installations/{id}/credentials`: the page again, with the secrets shown (audited).
    @Sendable func revealCredentials(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let id = try context.parameters.require("id")
        do {
            let credentials = try await installations.credentials(id, by: context.requester)
            let shown =
                credentials.inputs.sorted { $0.key < $1.key }.map { ConsolePages.Fact(name: "Input \($0.key)", value: $0.value) }
                + credentials.outputs.sorted { $0.key < $1.key }.map { ConsolePages.Fact(name: "Output \($0.key)", value: $0.value) }
            return try await renderInstallation(id, context: context, credentials: shown)
        } catch let error as APIError where error.status == .notFound {
            return try notFound(context, what: "installation")
        }
    }

    func renderInstallation(
        _ id: String, context: ConsoleRequestContext, error: String? = nil, confirmError: String? = nil,
        credentials: [ConsolePages.Fact]? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let tenantID = context.identity.tenantID
        guard let record = try await store.installation(id: id, tenantID: tenantID) else {
            return try notFound(context, what: "installation")
        }
        let item = installations.wire(record)
        let server = try await store.server(id: record.serverID, tenantID: tenantID)
        let release = record.release
        var plan: [String] = []
        if item.upgradeAvailable, let manifest = catalog.app(id: record.appID)?.manifest {
            let snapshot = (release?.canBackUp ?? false) || !manifest.backupPaths.isEmpty
            plan.append("\(record.appID) \(item.version ?? "?") → \(manifest.version), with the inputs it has now.")
            plan.append(
                snapshot
                    ? "First a snapshot: \((Set(release?.backupPaths ?? []).union(manifest.backupPaths)).sorted().joined(separator: ", "))\(release?.script(.backup) != nil ? " and the app's data dump" : "")."
                    : "No snapshot: the app declares nothing to back up, so a failed upgrade cannot be rolled back.")
            plan.append(
                "Then the new version's \(manifest.scripts.upgrade != nil ? "upgrade" : "install") script\(manifest.scripts.health != nil ? ", then its health check" : "")."
            )
            if snapshot { plan.append("If either fails, the snapshot is restored and the installed version's health checked again.") }
        }
        let health = try await store.healthChecks(installationID: id, tenantID: tenantID, limit: 20).map {
            ConsolePages.HealthRow(
                healthy: $0.healthy, result: $0.healthy ? "healthy" : "failing" + ($0.exitCode.map { " (exit \($0))" } ?? ""),
                jobID: $0.jobID, detail: $0.detail, when: ConsolePages.ago($0.checkedAt))
        }
        let backups = try await store.backups(installationID: id, tenantID: tenantID).prefix(50).map { backup in
            ConsolePages.BackupRow(
                id: backup.id, shortID: String(backup.id.prefix(8)), kind: backup.kind.rawValue, status: backup.status.rawValue,
                version: backup.appVersion, size: backup.sizeBytes.map(ConsoleController.bytes) ?? "–",
                when: ConsolePages.ago(backup.createdAt),
                restorable: backup.status == .complete && backup.appVersion == record.version && record.status != .removed,
                error: backup.error)
        }
        let canAct = context.identity.allows(.runJobs) && record.status != .removed
        let page = ConsolePages.Installation(
            title: "\(record.appID) on \(server?.name ?? record.serverID)", chrome: chrome(context, servers: true),
            installation: ConsolePages.InstallationRow(item), serverID: record.serverID, serverName: server?.name ?? record.serverID,
            csrf: context.session.csrfToken, notice: nil, error: error,
            facts: [
                .init(name: "Status", value: item.status), .init(name: "Version", value: item.version ?? "not installed yet"),
                .init(name: "Catalog version", value: item.availableVersion ?? "not in the catalog"),
                .init(
                    name: "Health checks",
                    value: item.healthIntervalSeconds == 0 || release?.script(.health) == nil
                        ? "off" : "every \(item.healthIntervalSeconds / 60) min"),
                .init(name: "Installed", value: ConsolePages.ago(item.createdAt)),
            ],
            inputs: item.inputs.sorted { $0.key < $1.key }.map { .init(name: $0.key, value: $0.value) },
            outputs: item.outputs.sorted { $0.key < $1.key }.map { .init(name: $0.key, value: $0.value) },
            hasOutputs: !item.outputs.isEmpty, upgradePlan: plan,
            canUpgrade: canAct && item.upgradeAvailable && record.status == .installed,
            canBackUp: canAct && record.status == .installed
                && (release?.canBackUp ?? false),
            canCheckHealth: canAct && record.status == .installed && release?.script(.health) != nil, busy: record.activeJobID != nil,
            activeJobID: record.activeJobID, health: health, hasHealth: !health.isEmpty, backups: Array(backups),
            hasBackups: !backups.isEmpty, credentials: credentials ?? [], showsCredentials: credentials != nil,
            canReveal: context.identity.allows(.revealCredentials) && (record.sealedSecrets != nil || record.sealedOutputs != nil),
            confirmError: confirmError)
        return try render(page, "installation", status: status)
    }
}
