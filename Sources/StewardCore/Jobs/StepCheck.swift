import Foundation

/// The shape every job step must have, checked by the hub when a job is queued and again by the
/// agent before its policy is consulted. What a step may touch is the agent policy's business;
/// this only refuses what no policy could allow.
public enum StepCheck {
    /// `env.set` keys, as DESIGN.md §4 fixes them.
    public static func isEnvironmentKey(_ key: String) -> Bool {
        key.wholeMatch(of: /[A-Z][A-Z0-9_]{0,127}/) != nil
    }

    /// Characters a shell would interpret. No shell runs `shell` steps, but arguments with these are
    /// refused anyway: they are how an injection looks, and nothing legitimate needs them.
    public static let shellMetacharacters = Set(";|&$`<>(){}[]*?!~#\\\"'\n\r\t")

    public static let serviceActions = ["start", "stop", "restart", "reload", "compose-up"]
    public static let containerActions = ["start", "stop", "restart", "pause", "unpause", "remove", "logs"]
    public static let maxLogTail = 10_000

    /// A Docker container's name (what `docker run --name` accepts) or id.
    public static func isContainerReference(_ reference: String) -> Bool {
        reference.wholeMatch(of: /[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}/) != nil
    }
    /// The largest `file.write` content the hub accepts (the agent's policy may set a lower limit).
    public static let maxWriteBytes = 8 << 20
    public static let maxSteps = 50

    /// An absolute path with no `.` or `..` components, no empty components, and no control characters.
    public static func isNormalisedAbsolutePath(_ path: String) -> Bool {
        guard path.hasPrefix("/"), path.count <= 4096, !path.contains(where: { $0.isASCII && $0.asciiValue! < 0x20 }) else {
            return false
        }
        if path == "/" { return true }
        let components = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        return !components.contains { $0.isEmpty || $0 == "." || $0 == ".." }
    }

    /// What a backup, a snapshot or a restore may copy and put back: a normalised absolute path at
    /// least two levels deep, since a restore removes what is there first (never `/` or `/etc`).
    public static func isBackupPath(_ path: String) -> Bool {
        isNormalisedAbsolutePath(path) && path.split(separator: "/").count >= 2
    }

    public static let maxBackupPaths = 32

    /// Ids of installations and backups, as the hub makes them (lower-case UUIDs) and names folders by.
    public static func isArchiveID(_ id: String) -> Bool {
        id.wholeMatch(of: /[a-z0-9][a-z0-9-]{0,63}/) != nil
    }

    /// A systemd unit name such as `nginx.service` or `getty@tty1.service`.
    public static func isUnitName(_ unit: String) -> Bool {
        unit.wholeMatch(of: /[A-Za-z0-9:_.@\\-]{1,255}\.(service|socket|timer|target|path|mount)/) != nil
    }

    /// Every problem with `step`, with field paths under `steps[index]`.
    public static func problems(_ step: Wire.Job.Step, index: Int) -> [Wire.FieldError] {
        var problems: [Wire.FieldError] = []
        func problem(_ field: String, _ message: String) {
            problems.append(.init(field: "steps[\(index)].\(field)", message: message))
        }
        func requirePath() {
            guard let path = step.path else { return problem("path", "is required") }
            if !isNormalisedAbsolutePath(path) { problem("path", "must be an absolute path without '.', '..' or empty components") }
        }
        switch step.type {
        case .script:
            if step.app?.isEmpty ?? true { problem("app", "is required") }
            if step.role?.isEmpty ?? true { problem("role", "is required") }
            let tracked = step.track ?? []
            if tracked.count > Wire.Job.FileState.maxTrackedFiles {
                problem("track", "must list at most \(Wire.Job.FileState.maxTrackedFiles) paths")
            }
            for (position, path) in tracked.enumerated() where !isNormalisedAbsolutePath(path) {
                problem("track[\(position)]", "must be an absolute path without '.', '..' or empty components")
            }
        case .fileWrite:
            requirePath()
            if let content = step.content {
                guard let bytes = Data(base64Encoded: content) else {
                    return problems + [.init(field: "steps[\(index)].content", message: "must be base64")]
                }
                if bytes.count > maxWriteBytes { problem("content", "must be at most \(maxWriteBytes) bytes") }
            } else {
                problem("content", "is required")
            }
            if let mode = step.mode, mode.wholeMatch(of: /0?[0-7]{3}/) == nil { problem("mode", "must be an octal mode such as 0644") }
            for (field, name) in [("owner", step.owner), ("group", step.group)] {
                if let name, name.wholeMatch(of: /[a-z_][a-z0-9_-]{0,31}/) == nil { problem(field, "must be a user or group name") }
            }
        case .fileRead:
            requirePath()
            if let maxBytes = step.maxBytes, maxBytes < 1 { problem("max_bytes", "must be 1 or more") }
        case .envSet:
            requirePath()
            let set = step.set ?? [:]
            let remove = step.remove ?? []
            if set.isEmpty && remove.isEmpty { problem("set", "give keys to set or to remove") }
            for key in set.keys.sorted() + remove where !isEnvironmentKey(key) {
                problem("set.\(key)", "keys must match ^[A-Z][A-Z0-9_]*$")
            }
            for (key, value) in set.sorted(by: { $0.key < $1.key }) where value.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" })
            {
                problem("set.\(key)", "must be one line")
            }
        case .envRead:
            requirePath()
            for key in step.keys ?? [] where !isEnvironmentKey(key) { problem("keys", "keys must match ^[A-Z][A-Z0-9_]*$") }
        case .shell:
            if let command = step.command {
                if !isNormalisedAbsolutePath(command) { problem("command", "must be an absolute path (no shell, no search path)") }
            } else {
                problem("command", "is required")
            }
            for (position, argument) in (step.arguments ?? []).enumerated() where argument.contains(where: shellMetacharacters.contains) {
                problem("arguments[\(position)]", "must not contain shell metacharacters")
            }
        case .service:
            guard let action = step.action, serviceActions.contains(action) else {
                problem("action", "must be one of \(serviceActions.joined(separator: ", "))")
                break
            }
            if action == "compose-up" {
                if let directory = step.directory {
                    if !isNormalisedAbsolutePath(directory) { problem("directory", "must be an absolute path") }
                } else {
                    problem("directory", "is required for compose-up")
                }
            } else if let unit = step.unit {
                if !isUnitName(unit) { problem("unit", "must be a systemd unit name such as nginx.service") }
            } else {
                problem("unit", "is required")
            }
        case .configCheck:
            let paths = step.paths ?? []
            if paths.isEmpty || paths.count > Wire.Job.FileState.maxTrackedFiles {
                problem("paths", "give 1 to \(Wire.Job.FileState.maxTrackedFiles) paths")
            }
            for (position, path) in paths.enumerated() where !isNormalisedAbsolutePath(path) {
                problem("paths[\(position)]", "must be an absolute path without '.', '..' or empty components")
            }
        case .backup, .restore:
            if step.app?.isEmpty ?? true { problem("app", "is required") }
            for (field, id) in [("installation", step.installation), ("backup_id", step.backupID)] {
                guard let id else {
                    problem(field, "is required")
                    continue
                }
                if !isArchiveID(id) { problem(field, "must be lower-case letters, digits and '-'") }
            }
            let paths = step.paths ?? []
            if paths.count > maxBackupPaths { problem("paths", "must list at most \(maxBackupPaths) paths") }
            for (position, path) in paths.enumerated() where !isBackupPath(path) {
                problem("paths[\(position)]", "must be an absolute path at least two levels deep")
            }
            if paths.isEmpty, step.scriptSHA256 == nil { problem("paths", "give paths or a script: there is nothing to copy") }
            for (position, id) in (step.keep ?? []).enumerated() where !isArchiveID(id) {
                problem("keep[\(position)]", "must be a backup id")
            }
            if step.type == .restore, step.keep != nil { problem("keep", "is only for backups") }
            if let digest = step.archiveSHA256, digest.wholeMatch(of: /[0-9a-f]{64}/) == nil {
                problem("archive_sha256", "must be 64 lower-case hex digits")
            }
        case .container:
            if let action = step.action, containerActions.contains(action) {
                if let tail = step.tail, action != "logs" || !(1...maxLogTail).contains(tail) {
                    problem("tail", action == "logs" ? "must be 1 to \(maxLogTail)" : "is only for logs")
                }
            } else {
                problem("action", "must be one of \(containerActions.joined(separator: ", "))")
            }
            if let container = step.container {
                if !isContainerReference(container) { problem("container", "must be a container name or id") }
            } else {
                problem("container", "is required")
            }
        }
        return problems
    }
}
