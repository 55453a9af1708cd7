import Foundation
import HTTPTypes
import StewardCore

/// A server's config history: the versions jobs and drift checks recorded (``ConfigRecorder``),
/// diffs between any two, restoring one as a job, the whole history as a git repository, and the
/// drift check. The API, the console and ``ConfigDriftSchedule`` come here.
struct ConfigHistoryService {
    let jobs: JobService
    var store: Store { jobs.store }

    /// Who drift checks are for: they are the hub's own jobs and are not audited.
    static let driftRequester = "steward (drift check)"
    /// The largest export: the masked text of every version together.
    static let maxExportBytes = 256 << 20

    // MARK: Reading

    /// The versions of `path`, newest first; without a path, the latest version of each file.
    func versions(serverID: String, path: String?, tenantID: String) async throws -> [ConfigVersionRecord] {
        let server = try await server(serverID, tenantID: tenantID)
        guard let path else { return try await store.latestConfigVersions(serverID: server.id, tenantID: tenantID) }
        return try await store.configVersions(serverID: server.id, path: path, tenantID: tenantID)
    }

    func version(_ id: String, serverID: String, tenantID: String) async throws -> ConfigVersionRecord {
        guard let version = try await store.configVersion(id: id, tenantID: tenantID), version.serverID == serverID else {
            throw APIError.notFound("config version", id: id)
        }
        return version
    }

    /// The unified diff of the masked contents, from one version to another (of any files of the
    /// server); empty when they show the same.
    func diff(serverID: String, from: String, to: String, tenantID: String) async throws -> String {
        _ = try await server(serverID, tenantID: tenantID)
        let old = try await version(from, serverID: serverID, tenantID: tenantID)
        let new = try await version(to, serverID: serverID, tenantID: tenantID)
        return UnifiedDiff.make(
            from: old.maskedContent ?? "", to: new.maskedContent ?? "", fromLabel: "a\(old.path)\t(\(old.id))",
            toLabel: "b\(new.path)\t(\(new.id))")
    }

    // MARK: Changing

    /// Writes a version back as a `file.write` job (the file keeps its mode and owner). `confirm`
    /// must repeat the path; audited. 409 for a deleted version or one too large to have been kept.
    func restore(serverID: String, versionID: String, confirm: String, by requester: Requester) async throws -> JobRecord {
        let tenantID = requester.identity.tenantID
        let server = try await server(serverID, tenantID: tenantID)
        let version = try await version(versionID, serverID: server.id, tenantID: tenantID)
        guard confirm == version.path else {
            throw APIError.invalid([.init(field: "confirm", message: "type the file's path, \(version.path), to restore it")])
        }
        guard !version.deleted, let sealed = version.sealedContent else {
            throw APIError(
                .conflict, code: "not_restorable",
                detail: version.deleted
                    ? "version \(version.id) records that \(version.path) was removed; restore an earlier version"
                    : "version \(version.id) of \(version.path) was larger than \(Wire.Job.FileState.maxContentBytes >> 10) KiB and its content was not kept"
            )
        }
        let content = try SecretBox(key: jobs.keys.masterKey).open(sealed, as: Data.self)
        var step = Wire.Job.Step(type: .fileWrite)
        step.path = version.path
        step.content = content.base64EncodedString()
        let jobID = UUID().uuidString.lowercased()
        return try await jobs.queuePrepared(
            [step], id: jobID, kind: .step(.fileWrite), on: server, requestedBy: requester.identity.email, timeoutSeconds: 300,
            audit: requester.audit(
                "config.restore", target: "job:\(jobID)",
                detail: ["server": server.id, "path": version.path, "version": version.id, "sha256": version.sha256]))
    }

    /// Queues a drift check of every file the server's history tracks now (409 when it tracks none).
    func checkNow(serverID: String, by requester: Requester) async throws -> JobRecord {
        let server = try await server(serverID, tenantID: requester.identity.tenantID)
        guard
            let job = try await queueDriftCheck(
                of: server, requestedBy: requester.identity.email,
                audit: { requester.audit("config.check", target: "job:\($0)", detail: ["server": server.id]) })
        else {
            throw APIError(
                .conflict, code: "nothing_tracked", detail: "\(server.name) has no config history yet: no file has been written by a job")
        }
        return job
    }

    /// A `config.check` job reading every tracked file, an app's declared files in a step of their
    /// own (read under the rule for the app's scripts); `nil` when the server tracks nothing.
    func queueDriftCheck(
        of server: ServerRecord, requestedBy: String = Self.driftRequester, audit: (String) -> AuditEvent? = { _ in nil }
    ) async throws -> JobRecord? {
        let latest = try await store.latestConfigVersions(serverID: server.id, tenantID: server.tenantID)
        guard !latest.isEmpty else { return nil }
        var steps: [Wire.Job.Step] = []
        let byApp = Dictionary(grouping: latest) { $0.source == .app || $0.source == .drift ? $0.appID : nil }
        for appID in byApp.keys.sorted(by: { ($0 ?? "") < ($1 ?? "") }) {
            let paths = byApp[appID, default: []].map(\.path).sorted()
            for start in stride(from: 0, to: paths.count, by: Wire.Job.FileState.maxTrackedFiles) {
                var step = Wire.Job.Step(type: .configCheck)
                step.app = appID
                step.paths = Array(paths[start..<min(paths.count, start + Wire.Job.FileState.maxTrackedFiles)])
                steps.append(step)
            }
        }
        let jobID = UUID().uuidString.lowercased()
        return try await jobs.queuePrepared(
            Array(steps.prefix(StepCheck.maxSteps)), id: jobID, kind: .step(.configCheck), on: server, requestedBy: requestedBy,
            timeoutSeconds: 300, audit: audit(jobID))
    }

    // MARK: Export

    /// The server's history as a bare git repository in a tar archive (`config.git/`): one commit
    /// per version, oldest first, with its author, time, job and checksum; masked contents only.
    func export(serverID: String, tenantID: String) async throws -> (server: ServerRecord, archive: Data) {
        let server = try await server(serverID, tenantID: tenantID)
        let versions = try await store.allConfigVersions(serverID: server.id, tenantID: tenantID)
        let total = versions.reduce(0) { $0 + ($1.maskedContent?.utf8.count ?? 0) }
        guard total <= Self.maxExportBytes else {
            throw APIError(
                .contentTooLarge, code: "export_too_large",
                detail: "the history of \(server.name) holds \(total) bytes, more than the \(Self.maxExportBytes) an export may")
        }
        var repository = GitRepository()
        var tree: [String: Data] = [:]
        for version in versions {
            let name = String(version.path.dropFirst())
            if version.deleted {
                tree[name] = nil
            } else {
                tree[name] = Data((version.maskedContent ?? "").utf8)
            }
            var message = "\(version.deleted ? "remove" : version.source.rawValue) \(version.path)\n\n"
            message += "Version: \(version.id)\n"
            if let jobID = version.jobID { message += "Job: \(jobID)\n" }
            if let appID = version.appID { message += "App: \(appID)\n" }
            message += "SHA-256: \(version.sha256)\nSize: \(version.size)\n"
            try repository.commit(
                .init(
                    authorName: version.author, authorEmail: version.author.contains("@") ? version.author : "steward@localhost",
                    date: version.createdAt, message: message, files: tree))
        }
        var archive = TarArchive(modified: versions.last?.createdAt ?? jobs.clock.now)
        for (path, content) in repository.repositoryFiles().sorted(by: { $0.key < $1.key }) {
            try archive.add(file: "config.git/" + path, content: content)
        }
        return (server, archive.finished())
    }

    private func server(_ id: String, tenantID: String) async throws -> ServerRecord {
        guard let server = try await store.server(id: id, tenantID: tenantID) else { throw APIError.notFound("server", id: id) }
        return server
    }
}
