import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import StewardCore

#if canImport(Glibc)
import Glibc
#endif

/// Runs the steps of DESIGN.md §4's executor registry. Programs (scripts, `shell`, `service`) run
/// through ``ScriptRunner``, non-interactively; file and env steps are done here, atomically.
/// Whether a step may run at all was decided before (``AgentPolicy/refusal(of:)``).
struct StepExecutor {
    let policy: AgentPolicy
    let runner: ScriptRunner
    /// The Docker engine `container` steps act on; `nil` where the agent has none.
    var docker: DockerClient?
    /// Where `backup` steps write archives and `restore` steps read them.
    var backups: BackupStore?

    /// What every step of one attempt shares.
    struct Context: Sendable {
        /// The inputs of script steps.
        var environment: [String: String]
        var secrets: [String]
        var deadline: ContinuousClock.Instant
        var stop: StopSignal
        var onLine: @Sendable (String) async -> Void
        /// Where programs' process groups are written down while they run.
        var onGroupStarted: (@Sendable (Int32, String) -> Void)?
        var onGroupEnded: (@Sendable (Int32) -> Void)?
        var onGroupStarting: (@Sendable (String) -> Void)?
    }

    /// How one step ended, and the outputs a script step wrote.
    struct Outcome: Sendable {
        var result: Wire.Job.StepResult
        var outputs: [String: String] = [:]
    }

    /// `true` when the step has a payload that fits it: a script step's bytes match their SHA-256.
    static func scriptBytes(of step: Wire.Job.Step) -> Data? {
        guard let text = step.script, let script = Data(base64Encoded: text),
            Hex.encode(SHA256.hash(data: script)) == step.scriptSHA256
        else { return nil }
        return script
    }

    func run(_ step: Wire.Job.Step, index: Int, context: Context) async -> Outcome {
        do {
            switch step.type {
            case .script:
                guard let script = Self.scriptBytes(of: step) else { return failure(step, index, "the script does not match its SHA-256") }
                var outcome = try await program(.script(script), step, index, context, inputs: step.environment ?? context.environment)
                if outcome.result.exitCode == 0, let tracked = step.track, !tracked.isEmpty {
                    outcome.result.files = tracked.map { tracker.state(of: $0, app: step.app) }
                }
                return outcome
            case .shell:
                return try await program(.executable(path: step.command ?? "", arguments: step.arguments ?? []), step, index, context)
            case .service:
                if step.action == "compose-up" {
                    return try await program(
                        .executable(path: "/usr/bin/docker", arguments: ["compose", "up", "-d"]), step, index, context,
                        workingDirectory: step.directory)
                }
                return try await program(
                    .executable(path: "/usr/bin/systemctl", arguments: [step.action ?? "", step.unit ?? ""]), step, index, context)
            case .fileWrite:
                return try tracking(writeFile(step, index), step)
            case .fileRead:
                return try readFile(step, index)
            case .envSet:
                return try tracking(setEnvironment(step, index), step)
            case .envRead:
                return try readEnvironment(step, index)
            case .container:
                return try await container(step, index, context)
            case .backup, .restore:
                return try await archive(step, index, context)
            case .configCheck:
                var result = Wire.Job.StepResult(index: index, type: step.type, exitCode: 0)
                result.files = (step.paths ?? []).map { tracker.state(of: $0, app: step.app) }
                return Outcome(result: result)
            }
        } catch {
            return failure(step, index, "\(error)")
        }
    }

    private var tracker: FileTracker { FileTracker(policy: policy) }

    /// A successful write's outcome with what the file holds now, for config history.
    private func tracking(_ outcome: Outcome, _ step: Wire.Job.Step) -> Outcome {
        guard outcome.result.exitCode == 0, let path = step.path else { return outcome }
        var tracked = outcome
        tracked.result.files = [tracker.state(of: path, app: nil)]
        return tracked
    }

    private func program(
        _ program: ScriptRunner.Program, _ step: Wire.Job.Step, _ index: Int, _ context: Context, inputs: [String: String] = [:],
        workingDirectory: String? = nil
    ) async throws -> Outcome {
        let remaining = context.deadline - ContinuousClock.now
        var request = ScriptRunner.Request(
            program: program, workingDirectory: workingDirectory, inputs: inputs, secrets: context.secrets,
            timeout: max(remaining, .milliseconds(1)), stop: context.stop)
        request.onGroupStarted = context.onGroupStarted
        request.onGroupEnded = context.onGroupEnded
        request.onGroupStarting = context.onGroupStarting
        let outcome: ScriptRunner.Outcome
        do {
            outcome = try await runner.run(request, onLine: context.onLine)
        } catch {
            return Outcome(result: .init(index: index, type: step.type, exitCode: 127, error: "could not be started: \(error)"))
        }
        return Outcome(result: .init(index: index, type: step.type, exitCode: Int(outcome.exitCode)), outputs: outcome.outputs)
    }

    /// A `backup` or `restore` step through ``BackupStore``; its programs (tar, the app's script) run
    /// like a script step's, with the job's inputs, under the job's deadline and stop signal.
    private func archive(_ step: Wire.Job.Step, _ index: Int, _ context: Context) async throws -> Outcome {
        guard let backups else { return failure(step, index, "this agent has no backup directory") }
        var script: Data?
        if step.scriptSHA256 != nil {
            guard let bytes = Self.scriptBytes(of: step) else { return failure(step, index, "the script does not match its SHA-256") }
            script = bytes
        }
        let inputs = step.environment ?? context.environment
        let run: BackupStore.Run = { program, extra in
            let remaining = context.deadline - ContinuousClock.now
            var request = ScriptRunner.Request(
                program: program, inputs: inputs.merging(extra) { _, new in new }, secrets: context.secrets,
                timeout: max(remaining, .milliseconds(1)), stop: context.stop)
            request.onGroupStarted = context.onGroupStarted
            request.onGroupEnded = context.onGroupEnded
            request.onGroupStarting = context.onGroupStarting
            return try await runner.run(request, onLine: context.onLine).exitCode
        }
        let installation = step.installation ?? ""
        let backupID = step.backupID ?? ""
        do {
            if step.type == .backup {
                let archive = try await backups.create(
                    installation: installation, backupID: backupID, paths: step.paths ?? [], dump: script, keep: step.keep, run: run)
                await context.onLine("[steward] archive \(backupID): \(archive.sizeBytes) bytes, SHA-256 \(archive.sha256)")
                var result = Wire.Job.StepResult(index: index, type: step.type, exitCode: 0)
                result.archive = archive
                return Outcome(result: result)
            }
            try await backups.restore(
                installation: installation, backupID: backupID, sha256: step.archiveSHA256, paths: step.paths ?? [], load: script, run: run)
            await context.onLine("[steward] archive \(backupID) restored")
            return Outcome(result: .init(index: index, type: step.type, exitCode: 0))
        } catch let failure as BackupStore.Failure {
            return self.failure(step, index, failure.description)
        }
    }

    private func writeFile(_ step: Wire.Job.Step, _ index: Int) throws -> Outcome {
        let path = step.path ?? ""
        guard let content = step.content.flatMap({ Data(base64Encoded: $0) }) else { return failure(step, index, "content is not base64") }
        guard content.count <= policy.maxFileBytes else {
            return failure(step, index, "\(content.count) bytes is more than this agent's limit of \(policy.maxFileBytes)")
        }
        // Without a mode, a file that exists keeps its mode and owner (a restored 0600 secret stays
        // 0600); a new one is 0644.
        var mode: mode_t = 0o644
        var existingOwner: (uid_t, gid_t)?
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
            mode = info.st_mode & 0o7777
            existingOwner = (info.st_uid, info.st_gid)
        }
        if let given = step.mode.flatMap({ mode_t($0, radix: 8) }) { mode = given }
        try AtomicFile.write(content, to: path, mode: mode, owner: existingOwner)
        if step.owner != nil || step.group != nil {
            var uid = uid_t.max
            var gid = gid_t.max
            if let owner = step.owner {
                guard let entry = getpwnam(owner) else { return failure(step, index, "there is no user \(owner)") }
                uid = entry.pointee.pw_uid
            }
            if let group = step.group {
                guard let entry = getgrnam(group) else { return failure(step, index, "there is no group \(group)") }
                gid = entry.pointee.gr_gid
            }
            guard lchown(path, uid, gid) == 0 else { return failure(step, index, "cannot set the owner of \(path): errno \(errno)") }
        }
        return Outcome(result: .init(index: index, type: step.type, exitCode: 0))
    }

    private func readFile(_ step: Wire.Job.Step, _ index: Int) throws -> Outcome {
        let limit = min(step.maxBytes ?? policy.maxFileBytes, policy.maxFileBytes)
        let (data, truncated) = try Self.read(step.path ?? "", limit: limit)
        var result = Wire.Job.StepResult(index: index, type: step.type, exitCode: 0)
        if let text = String(data: data, encoding: .utf8) {
            result.content = text
            result.contentEncoding = "utf-8"
        } else {
            result.content = data.base64EncodedString()
            result.contentEncoding = "base64"
        }
        result.truncated = truncated
        return Outcome(result: result)
    }

    /// Merges keys into a `.env` file. The file keeps its owner, group and mode (an app's own 0600
    /// `.env` must stay readable by the app); a new file is root's, 0600.
    private func setEnvironment(_ step: Wire.Job.Step, _ index: Int) throws -> Outcome {
        let path = step.path ?? ""
        for (key, value) in (step.set ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let problem = EnvFile.problem(writing: value) { return failure(step, index, "the value of \(key) \(problem)") }
        }
        var mode: mode_t = 0o600
        var owner: (uid_t, gid_t)?
        var file = EnvFile(text: "")
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFREG else { return failure(step, index, "\(path) is not a regular file") }
            mode = info.st_mode & 0o7777
            owner = (info.st_uid, info.st_gid)
            let (data, truncated) = try Self.read(path, limit: policy.maxFileBytes)
            guard !truncated else {
                return failure(step, index, "\(path) is larger than this agent's limit of \(policy.maxFileBytes) bytes")
            }
            file = EnvFile(text: String(decoding: data, as: UTF8.self))
        }
        file.apply(set: step.set ?? [:], remove: step.remove ?? [])
        try AtomicFile.write(Data(file.text.utf8), to: path, mode: mode, owner: owner)
        return Outcome(result: .init(index: index, type: step.type, exitCode: 0))
    }

    private func readEnvironment(_ step: Wire.Job.Step, _ index: Int) throws -> Outcome {
        let (data, truncated) = try Self.read(step.path ?? "", limit: policy.maxFileBytes)
        // Half a file would give wrong values, not fewer: refuse instead.
        guard !truncated else { return failure(step, index, "the file is larger than this agent's limit of \(policy.maxFileBytes) bytes") }
        var values = EnvFile(text: String(decoding: data, as: UTF8.self)).values
        if let keys = step.keys, !keys.isEmpty { values = values.filter { keys.contains($0.key) } }
        if step.reveal != true {
            for key in values.keys where Self.looksSecret(key) { values[key] = SecretMasker.mask }
        }
        var result = Wire.Job.StepResult(index: index, type: step.type, exitCode: 0)
        result.values = values
        return Outcome(result: result)
    }

    /// Keys whose values `env.read` masks unless asked to reveal them.
    static func looksSecret(_ key: String) -> Bool {
        SecretMasker.looksSecret(key)
    }

    /// Reads at most `limit` bytes, refusing to follow a symbolic link at the last component unless
    /// told to (config history reads links such as `sites-enabled/default` after the policy
    /// resolved them).
    static func read(_ path: String, limit: Int, followLinks: Bool = false) throws -> (Data, truncated: Bool) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | (followLinks ? 0 : O_NOFOLLOW))
        guard descriptor >= 0 else { throw AtomicFile.WriteError(path: path, operation: "open", errno: errno) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        let data = try handle.read(upToCount: limit + 1) ?? Data()
        return (data.prefix(limit), data.count > limit)
    }

    /// A Docker container action through the engine's API. `logs` returns the last lines as the
    /// result's content (masked with the job's secrets, at most 1 MiB).
    private func container(_ step: Wire.Job.Step, _ index: Int, _ context: Context) async throws -> Outcome {
        guard let docker, docker.available else { return failure(step, index, "there is no Docker engine on this server") }
        let name = step.container ?? ""
        let path = "/containers/" + (name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name)
        let action = step.action ?? ""
        await context.onLine("[steward] docker \(action) \(name)")
        switch action {
        case "logs":
            let tail = step.tail ?? 200
            let data = try await docker.request(.GET, path + "/logs?stdout=1&stderr=1&tail=\(tail)", limit: 8 << 20)
            let text = SecretMasker(secrets: context.secrets).mask(String(decoding: DockerClient.demultiplexed(data), as: UTF8.self))
            var result = Wire.Job.StepResult(index: index, type: step.type, exitCode: 0)
            let limit = 1 << 20
            result.content = String(decoding: Array(text.utf8.suffix(limit)), as: UTF8.self)
            result.truncated = text.utf8.count > limit
            return Outcome(result: result)
        case "remove":
            _ = try await docker.request(.DELETE, path)
        case "stop", "restart":
            _ = try await docker.request(.POST, path + "/\(action)?t=10", timeout: .seconds(40))
        default:
            _ = try await docker.request(.POST, path + "/\(action)")
        }
        return Outcome(result: .init(index: index, type: step.type, exitCode: 0))
    }

    private func failure(_ step: Wire.Job.Step, _ index: Int, _ message: String) -> Outcome {
        Outcome(result: .init(index: index, type: step.type, exitCode: 1, error: message))
    }
}
