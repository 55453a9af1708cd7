import Foundation
import StewardCore
import Yams

/// What this agent lets signed jobs do, from the file given with `--policy` (YAML). A signature
/// proves a job came from the hub; the policy limits what even the hub may do on this server.
///
/// Without a policy file, only catalog scripts run: every file, env, shell and service step is
/// refused. See docs/AGENT-POLICY.md for the format.
public struct AgentPolicy: Codable, Sendable, Equatable {
    /// Catalog apps whose scripts may run; all when absent.
    public var apps: [String]?
    /// SHA-256 (hex) of the only scripts that may run; any when absent.
    public var scriptDigests: [String]?
    public var files: Files?
    public var shell: [ShellRule]?
    public var services: Services?
    public var containers: Containers?

    public struct Files: Codable, Sendable, Equatable {
        /// Directories under which file and env steps may read and write.
        public var roots: [String]
        /// The largest file a step may write or read in full; 1 MiB when absent.
        public var maxBytes: Int?

        enum CodingKeys: String, CodingKey {
            case roots
            case maxBytes = "max_bytes"
        }
    }

    public struct ShellRule: Codable, Sendable, Equatable {
        /// An absolute path to a program.
        public var command: String
        /// One regular expression per argument, matched against the whole argument, in order.
        /// The step must give exactly this many arguments.
        public var arguments: [String]

        public init(command: String, arguments: [String]) {
            self.command = command
            self.arguments = arguments
        }
    }

    public struct Services: Codable, Sendable, Equatable {
        /// systemd units that may be started, stopped, restarted or reloaded.
        public var units: [String]?
        /// Directories in which `docker compose up -d` may run.
        public var composeDirectories: [String]?

        enum CodingKeys: String, CodingKey {
            case units
            case composeDirectories = "compose_directories"
        }
    }

    public struct Containers: Codable, Sendable, Equatable {
        /// What `container` steps may do: some of start, stop, restart, pause, unpause, remove, logs.
        public var actions: [String]
        /// Regular expressions a container's name must match, whole; any container when absent.
        public var names: [String]?
    }

    enum CodingKeys: String, CodingKey {
        case apps, files, shell, services, containers
        case scriptDigests = "script_digests"
    }

    public init() {}

    static let defaultMaxBytes = 1 << 20

    /// Reads and checks a policy file. Every mistake is reported at once, with where it is.
    public static func load(path: String) throws -> AgentPolicy {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AgentError(.stateUnreadable, "cannot read the policy file \(path)")
        }
        let policy: AgentPolicy
        do {
            policy = try YAMLDecoder().decode(AgentPolicy.self, from: String(decoding: data, as: UTF8.self))
        } catch {
            throw AgentError(.policyInvalid, "the policy file \(path) is not valid: \(error)")
        }
        let problems = policy.problems()
        guard problems.isEmpty else {
            throw AgentError(.policyInvalid, "the policy file \(path) is not valid:\n  " + problems.joined(separator: "\n  "))
        }
        return policy
    }

    func problems() -> [String] {
        var problems: [String] = []
        for (index, root) in (files?.roots ?? []).enumerated() where !StepCheck.isNormalisedAbsolutePath(root) || root == "/" {
            problems.append("files.roots[\(index)]: \(root) must be an absolute directory other than /")
        }
        if let maxBytes = files?.maxBytes, maxBytes < 1 { problems.append("files.max_bytes must be 1 or more") }
        for (index, rule) in (shell ?? []).enumerated() {
            if !StepCheck.isNormalisedAbsolutePath(rule.command) {
                problems.append("shell[\(index)].command: \(rule.command) must be an absolute path")
            }
            for (position, pattern) in rule.arguments.enumerated() where (try? Regex(pattern)) == nil {
                problems.append("shell[\(index)].arguments[\(position)]: \(pattern) is not a regular expression")
            }
        }
        for (index, unit) in (services?.units ?? []).enumerated() where !StepCheck.isUnitName(unit) {
            problems.append("services.units[\(index)]: \(unit) is not a systemd unit name")
        }
        for (index, directory) in (services?.composeDirectories ?? []).enumerated() where !StepCheck.isNormalisedAbsolutePath(directory) {
            problems.append("services.compose_directories[\(index)]: \(directory) must be an absolute path")
        }
        for (index, action) in (containers?.actions ?? []).enumerated() where !StepCheck.containerActions.contains(action) {
            problems.append("containers.actions[\(index)]: \(action) is not one of \(StepCheck.containerActions.joined(separator: ", "))")
        }
        for (index, pattern) in (containers?.names ?? []).enumerated() where (try? Regex(pattern)) == nil {
            problems.append("containers.names[\(index)]: \(pattern) is not a regular expression")
        }
        for (index, digest) in (scriptDigests ?? []).enumerated() where digest.wholeMatch(of: /[0-9a-f]{64}/) == nil {
            problems.append("script_digests[\(index)]: must be 64 lower-case hex digits")
        }
        return problems
    }

    /// Why the policy does not allow `step`, or `nil` when it does. Paths are resolved on disk, so a
    /// symbolic link cannot lead a step out of its root.
    func refusal(of step: Wire.Job.Step) -> String? {
        switch step.type {
        case .script, .backup, .restore:
            // Backups and restores are part of looking after an app, allowed where its scripts are.
            if let apps, let app = step.app, !apps.contains(app) { return "scripts of \(app) are not allowed by this agent's policy" }
            if let scriptDigests, step.type == .script || step.scriptSHA256 != nil, !scriptDigests.contains(step.scriptSHA256 ?? "") {
                return "the script's SHA-256 is not among this agent's allowed script digests"
            }
            return nil
        case .fileWrite, .fileRead, .envSet, .envRead:
            guard let roots = files?.roots, !roots.isEmpty else { return "this agent's policy allows no file steps" }
            return PathGuard.refusal(of: step.path ?? "", roots: roots)
        case .configCheck:
            // Each path is checked as it is read (``trackingRefusal(of:app:)``): a file the policy
            // keeps out is reported as such, and the others are still checked.
            if let apps, let app = step.app, !apps.contains(app) { return "scripts of \(app) are not allowed by this agent's policy" }
            if step.app == nil, files?.roots.isEmpty ?? true { return "this agent's policy allows no file steps" }
            return nil
        case .shell:
            let command = step.command ?? ""
            let arguments = step.arguments ?? []
            let rules = (shell ?? []).filter { $0.command == command }
            guard !rules.isEmpty else { return "\(command) is not on this agent's command allow-list" }
            if let bad = arguments.first(where: { $0.contains(where: StepCheck.shellMetacharacters.contains) }) {
                return "the argument \(bad.debugDescription) contains shell metacharacters"
            }
            let allowed = rules.contains { rule in
                rule.arguments.count == arguments.count
                    && zip(rule.arguments, arguments).allSatisfy { pattern, argument in
                        (try? Regex(pattern).wholeMatch(in: argument)) != nil
                    }
            }
            return allowed ? nil : "the arguments of \(command) do not match any allowed pattern"
        case .service:
            if step.action == "compose-up" {
                guard let directory = step.directory, services?.composeDirectories?.contains(directory) == true else {
                    return "compose in \(step.directory ?? "-") is not allowed by this agent's policy"
                }
                return nil
            }
            guard let unit = step.unit, services?.units?.contains(unit) == true else {
                return "the unit \(step.unit ?? "-") is not allowed by this agent's policy"
            }
            return nil
        case .container:
            guard let containers else { return "this agent's policy allows no container steps" }
            let action = step.action ?? "-"
            guard containers.actions.contains(action) else { return "the container action \(action) is not allowed by this agent's policy" }
            let name = step.container ?? ""
            if let names = containers.names,
                !names.contains(where: { (try? Regex($0).wholeMatch(in: name)) != nil })
            {
                return "the container \(name) does not match this agent's allowed container names"
            }
            return nil
        }
    }

    var maxFileBytes: Int { files?.maxBytes ?? Self.defaultMaxBytes }

    /// Why config history may not read `path` on this server, or `nil` when it may. A file written
    /// by a file or env step is read under `files.roots`, like the step. An app's declared config
    /// file is read where the app's scripts may run: those scripts could read it anyway. When the
    /// policy pins script digests, though, the hub cannot run whatever it likes, and reading an
    /// app's files then needs `files.roots` too.
    func trackingRefusal(of path: String, app: String?) -> String? {
        let roots = files?.roots ?? []
        if let app {
            if let apps, !apps.contains(app) { return "scripts of \(app) are not allowed by this agent's policy" }
            guard scriptDigests != nil else { return nil }
            guard !roots.isEmpty else { return "this agent pins script digests and its policy allows no file steps" }
            return PathGuard.refusal(of: path, roots: roots)
        }
        guard !roots.isEmpty else { return "this agent's policy allows no file steps" }
        return PathGuard.refusal(of: path, roots: roots)
    }
}
