import Foundation
import HTTPTypes
import Logging
import StewardCore

/// The life of an installed app, for the API, the console and the health schedule: what is
/// installed where, and the jobs that upgrade (snapshot first, rolled back when the upgrade or the
/// health check after it fails), reconfigure, back up, restore, check and remove it. Every one is a
/// signed job of ``JobService``'s kind, run with the inputs the app was installed with.
struct InstallationService: Sendable {
    let jobs: JobService

    var store: Store { jobs.store }
    var catalog: AppCatalog { jobs.catalog }

    /// How many pre-upgrade snapshots an installation keeps on its server.
    static let keptSnapshots = 3

    // MARK: Reading

    func list(tenantID: String, serverID: String?) async throws -> [Wire.Installations.Item] {
        try await store.installations(tenantID: tenantID, serverID: serverID).map(wire)
    }

    func installation(_ id: String, tenantID: String) async throws -> InstallationRecord {
        guard let installation = try await store.installation(id: id, tenantID: tenantID) else {
            throw APIError.notFound("installation", id: id)
        }
        return installation
    }

    func wire(_ installation: InstallationRecord) -> Wire.Installations.Item {
        installation.wire(available: catalog.app(id: installation.appID)?.manifest.version)
    }

    /// The secret inputs (by input name) and secret outputs in the clear, audited with who asked.
    func credentials(_ id: String, by requester: Requester) async throws -> Wire.Installations.Credentials {
        let installation = try await installation(id, tenantID: requester.identity.tenantID)
        let box = SecretBox(key: jobs.keys.masterKey)
        let secrets = try installation.sealedSecrets.map { try box.open($0) } ?? [:]
        let outputs = try installation.sealedOutputs.map { try box.open($0) } ?? [:]
        let manifest = catalog.app(id: installation.appID)?.manifest
        var inputs: [String: String] = [:]
        for (environmentName, value) in secrets {
            let name = manifest?.inputs.first { $0.environmentName == environmentName }?.name ?? environmentName.lowercased()
            inputs[name] = value
        }
        try await store.recordAudit(
            requester.audit(
                "installation.credentials", target: "installation:\(id)",
                detail: ["app": installation.appID, "revealed": (inputs.keys.sorted() + outputs.keys.sorted()).joined(separator: ",")]),
            at: jobs.clock.now)
        return .init(inputs: inputs, outputs: outputs)
    }

    func setHealthInterval(_ id: String, _ patch: Wire.Installations.Patch, by requester: Requester) async throws -> InstallationRecord {
        guard let seconds = patch.healthIntervalSeconds else { return try await installation(id, tenantID: requester.identity.tenantID) }
        guard seconds == 0 || (60...86_400).contains(seconds) else {
            throw APIError.invalid([.init(field: "health_interval_seconds", message: "must be 0 (off) or 60 to 86400")])
        }
        guard
            let updated = try await store.setHealthInterval(
                installationID: id, tenantID: requester.identity.tenantID, seconds: seconds, now: jobs.clock.now,
                audit: requester.audit(
                    "installation.update", target: "installation:\(id)", detail: ["health_interval_seconds": "\(seconds)"]))
        else { throw APIError.notFound("installation", id: id) }
        return updated
    }

    // MARK: Jobs

    /// Upgrades to the catalog's version in one job: a snapshot of the app's `backup.paths` (and its
    /// `backup` script's dump), the `upgrade` script (or `install`, for apps whose install upgrades),
    /// then `health`. If the upgrade or the health check fails, the agent restores the snapshot and
    /// checks health again; the job ends `failed` with `rolled_back: true`.
    func upgrade(_ id: String, by requester: Requester) async throws -> JobRecord {
        let installation = try await installed(id, tenantID: requester.identity.tenantID)
        let app = try catalogApp(of: installation)
        let manifest = app.manifest
        guard installation.version != manifest.version else {
            throw APIError(
                .conflict, code: "up_to_date",
                detail: "\(manifest.id) \(manifest.version) is installed already; the catalog has no other version")
        }
        let validated = try jobs.inputs(of: installation, for: manifest, changing: [:])
        var builder = InstallationJobBuilder(service: self, installation: installation, app: app, requestedBy: requester.identity.email)
        let canSnapshot = installation.release?.canBackUp ?? false
        let snapshot =
            canSnapshot || !manifest.backupPaths.isEmpty
            ? try builder.backup(.snapshot, keeping: try await keptArchives(of: installation), alsoPaths: manifest.backupPaths) : nil
        var steps = snapshot.map { [$0.step] } ?? []
        steps.append(try builder.scriptStep(manifest.scripts.upgrade != nil ? .upgrade : .install, from: .catalog))
        if manifest.scripts.health != nil { steps.append(try builder.scriptStep(.health, from: .catalog)) }
        // Undoing runs the installed version's own restore and health scripts.
        var rollback: Wire.Job.Rollback?
        if let snapshot {
            var undo = [try builder.restoreStep(snapshot.record)]
            if installation.release?.script(.health) != nil { undo.append(try builder.scriptStep(.health, from: .installed)) }
            rollback = .init(fromStep: 1, steps: undo)
        }
        var job = try builder.job(.upgrade, validated: validated, from: .catalog, steps: steps, rollback: rollback)
        job.timeoutSeconds = min(86_400, manifest.timeoutSeconds * 3)
        return try await builder.queue(
            job, backups: snapshot.map { [$0.record] } ?? [],
            audit: requester.audit(
                "installation.upgrade", target: "installation:\(id)",
                detail: ["app": manifest.id, "from": installation.version ?? "", "to": manifest.version]))
    }

    /// Changes inputs: validated like an install's, then the `install` script runs again (apps'
    /// installs are idempotent) with the new values; they become the installation's when it succeeds.
    func reconfigure(_ id: String, changing changes: [String: InputValue], by requester: Requester) async throws -> JobRecord {
        let installation = try await installed(id, tenantID: requester.identity.tenantID)
        let app = try catalogApp(of: installation)
        guard installation.version == app.manifest.version else {
            throw APIError(
                .conflict, code: "upgrade_first",
                detail:
                    "the catalog has \(app.manifest.id) \(app.manifest.version) and \(installation.version ?? "another version") is installed: upgrade first, then reconfigure"
            )
        }
        guard !changes.isEmpty else { throw APIError.invalid([.init(field: "inputs", message: "give at least one input to change")]) }
        let validated = try jobs.inputs(of: installation, for: app.manifest, changing: changes)
        var builder = InstallationJobBuilder(service: self, installation: installation, app: app, requestedBy: requester.identity.email)
        let job = try builder.job(.install, validated: validated, from: .catalog)
        return try await builder.queue(
            job,
            audit: requester.audit(
                "installation.reconfigure", target: "installation:\(id)",
                detail: ["app": app.manifest.id, "inputs": changes.keys.sorted().joined(separator: ",")]))
    }

    /// Runs the app's `uninstall` with the inputs it was installed with; the installation is removed
    /// (and its secrets erased) when it succeeds.
    func uninstall(_ id: String, by requester: Requester) async throws -> JobRecord {
        let installation = try await installation(id, tenantID: requester.identity.tenantID)
        guard installation.status != .removed else {
            throw APIError(.conflict, code: "removed", detail: "installation \(id) is removed already")
        }
        let app = try catalogApp(of: installation)
        let validated = try jobs.inputs(of: installation, for: app.manifest, changing: [:])
        var builder = InstallationJobBuilder(service: self, installation: installation, app: app, requestedBy: requester.identity.email)
        // An install that never succeeded has no version of its own: the catalog's cleans up after it.
        let job = try builder.job(.uninstall, validated: validated, from: installation.release == nil ? .catalog : .installed)
        return try await builder.queue(
            job,
            audit: requester.audit("installation.uninstall", target: "installation:\(id)", detail: ["app": app.manifest.id]))
    }

    /// Backs the app up on its server: `backup.paths` and its `backup` script's dump, in one archive
    /// under the agent's backup directory; older backups beyond the rotation are removed.
    func backup(_ id: String, kind: BackupRecord.Kind = .manual, by requester: Requester) async throws -> JobRecord {
        let installation = try await installed(id, tenantID: requester.identity.tenantID)
        let app = try catalogApp(of: installation)
        guard installation.release?.canBackUp == true else {
            throw APIError(
                .conflict, code: "no_backup",
                detail: "\(app.manifest.id) \(installation.version ?? "") declares nothing to back up (backup.paths or a backup script)")
        }
        let validated = try jobs.inputs(of: installation, for: app.manifest, changing: [:])
        var builder = InstallationJobBuilder(service: self, installation: installation, app: app, requestedBy: requester.identity.email)
        let backup = try builder.backup(kind, keeping: try await keptArchives(of: installation, adding: kind))
        let job = try builder.job(.backup, validated: validated, steps: [backup.step])
        return try await builder.queue(
            job, backups: [backup.record],
            audit: requester.audit(
                "installation.backup", target: "installation:\(id)", detail: ["app": app.manifest.id, "backup": backup.record.id]))
    }

    /// Puts a backup back: the archive's files replace the app's, its `restore` script loads the
    /// dump, then `health` runs. `confirm` must name the app, since what is there now is replaced.
    func restore(_ id: String, _ request: Wire.Installations.RestoreRequest, by requester: Requester) async throws -> JobRecord {
        let tenantID = requester.identity.tenantID
        let installation = try await installation(id, tenantID: tenantID)
        guard installation.status != .removed else { throw APIError(.conflict, code: "removed", detail: "installation \(id) is removed") }
        guard request.confirm == installation.appID else {
            throw APIError.invalid([
                .init(
                    field: "confirm", message: "give the app's id, \(installation.appID), to replace its files and data with the backup's")
            ])
        }
        guard let backup = try await store.backup(id: request.backupID, tenantID: tenantID), backup.installationID == id else {
            throw APIError.invalid([.init(field: "backup_id", message: "no backup \(request.backupID) of this installation")])
        }
        guard backup.status == .complete else {
            throw APIError(.conflict, code: "backup_unavailable", detail: "backup \(backup.id) is \(backup.status.rawValue), not complete")
        }
        // Files of another version under this one's scripts and record would be neither.
        guard backup.appVersion == installation.version else {
            throw APIError(
                .conflict, code: "version_mismatch",
                detail: "backup \(backup.id) is of version \(backup.appVersion) and \(installation.version ?? "none") is installed")
        }
        let app = try catalogApp(of: installation)
        let validated = try jobs.inputs(of: installation, for: app.manifest, changing: [:])
        var builder = InstallationJobBuilder(service: self, installation: installation, app: app, requestedBy: requester.identity.email)
        var steps = [try builder.restoreStep(backup)]
        if installation.release?.script(.health) != nil { steps.append(try builder.scriptStep(.health, from: .installed)) }
        let job = try builder.job(.restore, validated: validated, steps: steps)
        return try await builder.queue(
            job,
            audit: requester.audit(
                "installation.restore", target: "installation:\(id)", detail: ["app": app.manifest.id, "backup": backup.id]))
    }

    /// Queues a health check of an installed app, for the schedule or an operator. `nil` when the app
    /// has no health script, or a check is waiting or running already.
    func checkHealth(_ installation: InstallationRecord, by requester: Requester) async throws -> JobRecord? {
        try await checkHealth(
            installation, requestedBy: requester.identity.email,
            audit: requester.audit("installation.health", target: "installation:\(installation.id)", detail: ["app": installation.appID]))
    }

    /// A health check asked for by `requestedBy` (the schedule's are not audited).
    func checkHealth(_ installation: InstallationRecord, requestedBy: String, audit: AuditEvent? = nil) async throws -> JobRecord? {
        guard let app = catalog.app(id: installation.appID), installation.release?.script(.health) != nil else { return nil }
        guard try await !store.hasOpenHealthCheck(installationID: installation.id, tenantID: installation.tenantID) else { return nil }
        let validated = try jobs.inputs(of: installation, for: app.manifest, changing: [:])
        var builder = InstallationJobBuilder(service: self, installation: installation, app: app, requestedBy: requestedBy)
        let job = try builder.job(.health, validated: validated)
        return try await builder.queue(job, audit: audit)
    }

    // MARK: Helpers

    /// The installation, if it is installed (not being installed, failed or removed).
    private func installed(_ id: String, tenantID: String) async throws -> InstallationRecord {
        let installation = try await installation(id, tenantID: tenantID)
        guard installation.status == .installed, installation.version != nil else {
            throw APIError(
                .conflict, code: "not_installed", detail: "installation \(id) is \(installation.status.rawValue), not installed")
        }
        return installation
    }

    private func catalogApp(of installation: InstallationRecord) throws -> CatalogApp {
        guard let app = catalog.app(id: installation.appID) else {
            throw APIError(.conflict, code: "app_unavailable", detail: "the catalog no longer has \(installation.appID)")
        }
        return app
    }

    /// The archives the installation's next backup step keeps on the server: the newest snapshots
    /// and the backups that rotation keeps (``BackupRetention``), counting the one about to be made.
    private func keptArchives(of installation: InstallationRecord, adding kind: BackupRecord.Kind = .snapshot) async throws -> [String] {
        let complete = try await store.backups(installationID: installation.id, tenantID: installation.tenantID).filter {
            $0.status == .complete
        }
        return BackupRetention.keep(
            complete, adding: kind, now: jobs.clock.now, snapshots: Self.keptSnapshots)
    }
}
