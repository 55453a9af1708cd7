import Crypto
import Foundation
import Logging
import StewardCore

/// Turns the files an attempt's steps report (``Wire/Job/FileState``) into config history
/// versions: what a `file.write` or `env.set` left, an app's declared config files after its
/// install or upgrade, and what a drift check read. A version is kept only when the file changed;
/// a change the drift check found is a `config.drift` event with the masked diff.
struct ConfigRecorder {
    let store: Store
    let catalog: AppCatalog
    let keys: HubKeys
    let clock: HubClock
    let logger: Logger

    /// The most of a diff a `config.drift` event carries.
    static let maxEventDiff = 4096

    /// Records what `result` reports. Never throws: the job's result is kept whatever happens here
    /// (a change missed now is found by the next drift check).
    func record(_ result: Wire.Job.Result, of job: JobRecord) async {
        // A rolled-back job put the files back; what its steps saw in between is gone.
        guard result.rolledBack != true else { return }
        // Every job result comes here; only one that reports files is worth opening the job's
        // sealed steps and secrets for.
        guard result.steps.contains(where: { $0.exitCode == 0 && !($0.files ?? []).isEmpty }) else { return }
        do {
            let candidates = try versions(in: result, of: job)
            guard !candidates.isEmpty else { return }
            let recorded = try await store.recordConfigVersions(candidates)
            let drift = recorded.filter { $0.version.source == .drift }
            if !drift.isEmpty { try await store.recordFleetEvents(drift.map(driftEvent)) }
        } catch {
            logger.error(
                "cannot record config history", metadata: ["job.id": "\(job.id)", "error": "\(String(reflecting: error))"])
        }
    }

    /// For a result the hub had already kept (the agent sent it again): records its files only if
    /// none were recorded from it, as when the hub stopped between keeping the result and recording
    /// them. Recording them again after a later drift would put the job's older content on top.
    func recordAgain(_ result: Wire.Job.Result, of job: JobRecord) async {
        do {
            guard try await !store.hasConfigVersions(jobID: job.id, tenantID: job.tenantID) else { return }
        } catch {
            logger.error("cannot read config history", metadata: ["job.id": "\(job.id)", "error": "\(String(reflecting: error))"])
            return
        }
        await record(result, of: job)
    }

    private func versions(in result: Wire.Job.Result, of job: JobRecord) throws -> [ConfigVersionRecord] {
        let box = SecretBox(key: keys.masterKey)
        let steps = try job.sealedSteps.map { try box.open($0, as: [Wire.Job.Step].self) } ?? job.steps
        let masker = ConfigMasker(masterKey: keys.masterKey, secrets: try secrets(of: job, steps: steps))
        let now = clock.now
        var versions: [ConfigVersionRecord] = []
        for stepResult in result.steps where stepResult.exitCode == 0 {
            let source: ConfigVersionRecord.Source
            switch stepResult.type {
            case .fileWrite: source = .fileWrite
            case .envSet: source = .envSet
            case .script: source = .app
            case .configCheck: source = .drift
            default: continue
            }
            let step = steps.indices.contains(stepResult.index) ? steps[stepResult.index] : nil
            let appID = source == .app || source == .drift ? (step?.app ?? job.appID) : nil
            let secretPaths = secretFiles(of: appID, job: job)
            for file in stepResult.files ?? [] where file.error == nil && StepCheck.isNormalisedAbsolutePath(file.path) {
                let content = file.content.flatMap { Data(base64Encoded: $0) }
                let sha256 = file.sha256 ?? content.map(SHA256.hex(of:)) ?? SHA256.hex(of: Data())
                let size = file.size ?? Int64(content?.count ?? 0)
                let secret = secretPaths.contains(file.path)
                versions.append(
                    ConfigVersionRecord(
                        tenantID: job.tenantID, serverID: job.serverID, path: file.path, sha256: sha256, size: size,
                        deleted: !file.exists, secret: secret, appID: appID, source: source, jobID: job.id,
                        author: source == .drift ? ConfigVersionRecord.outsideSteward : job.requestedBy,
                        maskedContent: file.exists ? masker.masked(content, size: size, sha256: sha256, secret: secret) : nil,
                        sealedContent: try content.map { try box.seal(encoding: $0) }, createdAt: now))
            }
        }
        return versions
    }

    /// The values masked wherever they appear in a file the job wrote: its secret inputs and its
    /// script steps' secret inputs (not every value an `env.set` writes: those are masked by key).
    private func secrets(of job: JobRecord, steps: [Wire.Job.Step]) throws -> [String] {
        let box = SecretBox(key: keys.masterKey)
        let inputs = try job.sealedSecrets.map { Array(try box.open($0).values) } ?? []
        return inputs + steps.filter { $0.type == .script }.flatMap(\.secrets)
    }

    /// The app's config files declared `secret`, as the job's release fixed them and as the catalog
    /// has them now (a file either calls secret is treated as one).
    private func secretFiles(of appID: String?, job: JobRecord) -> Set<String> {
        guard let appID else { return [] }
        let declared = (job.appID == appID ? job.release?.configFiles ?? [] : []) + (catalog.app(id: appID)?.manifest.configFiles ?? [])
        return Set(declared.filter(\.secret).map(\.path))
    }

    private func driftEvent(_ recorded: Store.RecordedConfigVersion) -> FleetEventRecord {
        let version = recorded.version
        let what = version.deleted ? "was removed" : "changed"
        let diff = UnifiedDiff.make(
            from: recorded.previous?.maskedContent ?? "", to: version.maskedContent ?? "",
            fromLabel: "a\(version.path) (\(recorded.previous?.id ?? "none"))", toLabel: "b\(version.path) (\(version.id))")
        let shown =
            diff.utf8.count > Self.maxEventDiff ? String(decoding: Array(diff.utf8.prefix(Self.maxEventDiff)), as: UTF8.self) + "\n…" : diff
        return FleetEventRecord(
            tenantID: version.tenantID, serverID: version.serverID, jobID: version.jobID, kind: "config.drift", severity: .warning,
            message: "\(version.path) \(what) outside Steward\n\(shown)", dedupeKey: "config.drift:\(version.id)", at: version.createdAt)
    }
}
