import Foundation
import HTTPTypes
import StewardCore

/// Builds one job that acts on an installation: its steps (scripts fixed now, by SHA-256), the
/// backups it writes, its record with the installation's inputs, and queues it with its hold on
/// the installation in one transaction.
struct InstallationJobBuilder {
    let service: InstallationService
    let installation: InstallationRecord
    let app: CatalogApp
    /// Who the job is for: an operator's e-mail, or the health schedule.
    let requestedBy: String
    let jobID = UUID().uuidString.lowercased()
    /// The scripts the job runs, stored with it.
    private(set) var scripts: [String: Data] = [:]

    init(service: InstallationService, installation: InstallationRecord, app: CatalogApp, requestedBy: String) {
        self.service = service
        self.installation = installation
        self.app = app
        self.requestedBy = requestedBy
    }

    private var manifest: Manifest { app.manifest }
    private var now: Date { service.jobs.clock.now }

    /// Where a step's script comes from: the version installed (its release, fixed when it was
    /// installed) or the catalog's version (an upgrade's new scripts).
    enum Source {
        case installed, catalog
    }

    /// A step running one of the app's scripts, with the job's inputs.
    mutating func scriptStep(_ role: ScriptRole, from source: Source) throws -> Wire.Job.Step {
        var step = Wire.Job.Step(type: .script)
        step.app = manifest.id
        step.role = role.rawValue
        step.scriptSHA256 = try script(role, from: source)
        if role == .install || role == .upgrade {
            let files = source == .catalog ? manifest.configFiles : try installedRelease().configFiles
            step.track = files.isEmpty ? nil : files.map(\.path)
        }
        return step
    }

    /// A `backup` step writing a new archive of the installed version (with its `backup` script when
    /// it has one), and the record that its result completes. `alsoPaths` are copied too: an
    /// upgrade's new version's paths, which a rollback must clear again.
    mutating func backup(
        _ kind: BackupRecord.Kind, keeping keep: [String], alsoPaths: [String] = []
    ) throws -> (step: Wire.Job.Step, record: BackupRecord) {
        let release = try installedRelease()
        let paths = release.backupPaths + alsoPaths.filter { !release.backupPaths.contains($0) }
        let dump = release.script(.backup)
        let record = BackupRecord(
            id: UUID().uuidString.lowercased(), tenantID: installation.tenantID, installationID: installation.id,
            serverID: installation.serverID, kind: kind, jobID: jobID, appVersion: release.version, paths: paths,
            hasDump: dump != nil, createdAt: now)
        var step = Wire.Job.Step(type: .backup)
        step.app = manifest.id
        step.installation = installation.id
        step.backupID = record.id
        step.paths = paths
        step.keep = keep
        if let dump {
            step.role = ScriptRole.backup.rawValue
            step.scriptSHA256 = dump
        }
        return (step, record)
    }

    /// A `restore` step putting `backup` back, checked against its SHA-256; then the installed
    /// version's `restore` script loads the dump (if any) and brings the app up on what was restored.
    func restoreStep(_ backup: BackupRecord) throws -> Wire.Job.Step {
        var step = Wire.Job.Step(type: .restore)
        step.app = manifest.id
        step.installation = installation.id
        step.backupID = backup.id
        step.paths = backup.paths
        step.archiveSHA256 = backup.sha256
        if let load = try installedRelease().script(.restore) {
            step.role = ScriptRole.restore.rawValue
            step.scriptSHA256 = load
        }
        return step
    }

    /// The job's record: one script of `source`'s version (`steps` empty) or the given steps, with
    /// `validated` as its inputs (secrets sealed) and what undoes it. An install (reconfigure) or
    /// upgrade fixes the catalog's version whole: the installation's once it succeeds.
    mutating func job(
        _ role: ScriptRole, validated: InputValidator.Validated, from source: Source = .installed, steps: [Wire.Job.Step] = [],
        rollback: Wire.Job.Rollback? = nil
    ) throws -> JobRecord {
        let box = SecretBox(key: service.jobs.keys.masterKey)
        let environment = validated.environment
        let secretNames = validated.secretNames.map { $0.uppercased() }.sorted()
        let secrets = environment.filter { secretNames.contains($0.key) }
        // Installs and removals keep the app's retry policy; an upgrade, restore or health check is
        // decided by one attempt (an upgrade is rolled back instead of run again).
        let attempts = role == .install || role == .uninstall || role == .backup ? manifest.retry.maxAttempts : 1
        let version = source == .catalog ? manifest.version : (try installedRelease().version)
        var job = JobRecord(
            id: jobID, tenantID: installation.tenantID, serverID: installation.serverID, kind: .app(role), appID: manifest.id,
            appVersion: version, inputs: environment.filter { !secretNames.contains($0.key) },
            sealedSecrets: secrets.isEmpty ? nil : try box.seal(secrets), secretNames: secretNames, maxAttempts: attempts,
            backoffSeconds: manifest.retry.backoffSeconds, timeoutSeconds: manifest.timeoutSeconds,
            requestedBy: requestedBy, createdAt: now)
        job.installationID = installation.id
        job.secretOutputs = manifest.secretOutputs
        if role == .install || role == .upgrade { job.release = try service.jobs.release(of: app, scripts: &scripts) }
        if steps.isEmpty {
            job.scriptSHA256 = try script(role, from: source)
        } else {
            job.steps = steps.map(\.masked)
            job.sealedSteps = try box.seal(encoding: steps)
        }
        job.sealedRollback = try rollback.map { try box.seal(encoding: $0) }
        return job
    }

    /// Queues the job, holding the installation when the job changes it (one such job at a time:
    /// 409 `installation_busy` otherwise), with the backups it writes; audited; announced.
    func queue(_ job: JobRecord, backups: [BackupRecord] = [], audit: AuditEvent?) async throws -> JobRecord {
        var claims: [InstallationClaim] = []
        if let role = job.kind.scriptRole, role.holdsInstallation {
            claims.append(
                .init(
                    installation: installation, isNew: false, jobID: job.id, status: role.statusWhileRunning ?? installation.status,
                    pendingSealedSecrets: role == .install || role == .upgrade ? job.sealedSecrets : nil))
        }
        do {
            try await service.store.createJobs([job], scripts: scripts, audit: audit, claims: claims, backups: backups)
        } catch is InstallationClaim.Busy {
            throw APIError(
                .conflict, code: "installation_busy",
                detail:
                    "another job acts on installation \(installation.id) (job \(installation.activeJobID ?? "in progress")); wait for it to end"
            )
        }
        await service.jobs.announce(job)
        return job
    }

    /// The SHA-256 of the app's `role` script in `source`'s version; a catalog script is read now
    /// and kept with the job.
    private mutating func script(_ role: ScriptRole, from source: Source) throws -> String {
        switch source {
        case .catalog:
            let (digest, bytes) = try service.jobs.script(of: app, role: role)
            scripts[digest] = bytes
            return digest
        case .installed:
            guard let digest = try installedRelease().script(role) else {
                throw APIError(
                    .conflict, code: "no_script",
                    detail: "\(manifest.id) \(installation.version ?? "") as installed has no \(role.rawValue) script")
            }
            return digest
        }
    }

    private func installedRelease() throws -> AppRelease {
        guard let release = installation.release else {
            throw APIError(.conflict, code: "not_installed", detail: "installation \(installation.id) has no installed version yet")
        }
        return release
    }
}
