import Foundation

/// The checks a manifest must pass beyond its shape: names, rules that must make sense together,
/// defaults that pass their own rules, conditions that can come true, and scripts that exist inside
/// the app's folder. Catalog-wide checks (unique ids, `requires`) are in ``CatalogLoader``.
public struct ManifestValidator {
    let manifest: Manifest
    let parsed: ManifestParser.Result
    let directory: String
    private var problems: [ManifestProblem] = []

    /// Every problem of `manifest`, whose file is `parsed` and whose folder is `directory`.
    public static func validate(_ manifest: Manifest, parsed: ManifestParser.Result, directory: String) -> [ManifestProblem] {
        var validator = ManifestValidator(manifest: manifest, parsed: parsed, directory: directory)
        validator.run()
        return validator.problems
    }

    public static func isValidID(_ id: String) -> Bool {
        id.wholeMatch(of: /[a-z][a-z0-9-]{1,62}/) != nil
    }

    static func isValidName(_ name: String) -> Bool {
        name.wholeMatch(of: /[a-z][a-z0-9_]*/) != nil && name.count <= 64
    }

    private init(manifest: Manifest, parsed: ManifestParser.Result, directory: String) {
        self.manifest = manifest
        self.parsed = parsed
        self.directory = directory
    }

    private mutating func run() {
        if !Self.isValidID(manifest.id) {
            report("id", "must be 2 to 63 characters: a lower-case letter, then lower-case letters, digits or '-'")
        }
        if manifest.name.trimmingCharacters(in: .whitespaces).isEmpty || manifest.name.count > 100 {
            report("name", "must be 1 to 100 characters")
        }
        if manifest.version.isEmpty || manifest.version.count > 64 || manifest.version.contains(where: \.isWhitespace) {
            report("version", "must be 1 to 64 characters without spaces")
        }
        if manifest.category.wholeMatch(of: /[a-z0-9][a-z0-9-]{0,62}/) == nil {
            report("category", "must be lower-case letters, digits and '-', such as web-servers")
        }
        if !(1...86_400).contains(manifest.timeoutSeconds) {
            report("timeout_seconds", "must be between 1 and 86400 seconds")
        }
        checkRetry()
        checkOSRequirements()
        checkOutputs()
        checkScripts()
        checkBackup()
        checkConfigFiles()
        var seen: Set<String> = []
        for (position, input) in manifest.inputs.enumerated() {
            checkInput(input, at: parsed.inputPath(position), seen: &seen)
        }
        checkVisibilityCycles()
    }

    private mutating func checkRetry() {
        if !(1...10).contains(manifest.retry.maxAttempts) {
            report("retry.max_attempts", "must be between 1 and 10")
        }
        for (index, seconds) in manifest.retry.backoffSeconds.enumerated() where !(1...86_400).contains(seconds) {
            report("retry.backoff_seconds[\(index)]", "must be between 1 and 86400 seconds")
        }
    }

    private mutating func checkOSRequirements() {
        guard let requirements = manifest.osRequirements else { return }
        if requirements.family.isEmpty { report("os_requirements.family", "must list at least one OS id, such as debian") }
        for (index, family) in requirements.family.enumerated() where family.wholeMatch(of: /[a-z0-9][a-z0-9._-]*/) == nil {
            report("os_requirements.family[\(index)]", "must be an /etc/os-release ID such as debian or ubuntu")
        }
        if let minimum = requirements.minVersion, OSVersion(minimum) == nil {
            report("os_requirements.min_version", "must be a version such as 12 or 22.04")
        }
    }

    private mutating func checkBackup() {
        var seen: Set<String> = []
        if manifest.backupPaths.count > StepCheck.maxBackupPaths {
            report("backup.paths", "must list at most \(StepCheck.maxBackupPaths) paths")
        }
        for (index, path) in manifest.backupPaths.enumerated() {
            if !StepCheck.isBackupPath(path) {
                report("backup.paths[\(index)]", "'\(path)' must be an absolute path at least two levels deep, such as /etc/nginx")
            }
            if !seen.insert(path).inserted { report("backup.paths[\(index)]", "'\(path)' is listed twice") }
        }
        if manifest.scripts.restore != nil, !manifest.canBackUp {
            report("scripts.restore", "needs something to restore: backup.paths or a backup script")
        }
    }

    private mutating func checkConfigFiles() {
        var seen: Set<String> = []
        if manifest.configFiles.count > Wire.Job.FileState.maxTrackedFiles {
            report("config_files", "must list at most \(Wire.Job.FileState.maxTrackedFiles) files")
        }
        for (index, file) in manifest.configFiles.enumerated() {
            if !StepCheck.isNormalisedAbsolutePath(file.path) || file.path == "/" {
                report("config_files[\(index)]", "'\(file.path)' must be an absolute path to a file, such as /etc/redis/redis.conf")
            }
            if !seen.insert(file.path).inserted { report("config_files[\(index)]", "'\(file.path)' is listed twice") }
        }
    }

    private mutating func checkOutputs() {
        var seen: Set<String> = []
        for (index, output) in manifest.outputs.enumerated() {
            if !Self.isValidName(output) { report("outputs[\(index)]", "must match ^[a-z][a-z0-9_]*$") }
            if !seen.insert(output).inserted { report("outputs[\(index)]", "'\(output)' is listed twice") }
        }
    }

    private mutating func checkScripts() {
        let root = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        for (role, path) in manifest.scripts.all {
            let field = parsed.lines["install_script"] != nil && role == .install ? "install_script" : "scripts.\(role.rawValue)"
            guard !path.isEmpty, !path.hasPrefix("/") else {
                report(field, "must be a path relative to the app's folder")
                continue
            }
            let resolved = URL(fileURLWithPath: directory).appendingPathComponent(path).resolvingSymlinksInPath().path
            guard resolved.hasPrefix(root + "/") else {
                report(field, "'\(path)' leads outside the app's folder")
                continue
            }
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) || isDirectory.boolValue {
                report(field, "'\(path)' does not exist in \(directory)")
            }
        }
    }

    private mutating func checkInput(_ input: InputSpec, at path: String, seen: inout Set<String>) {
        if !Self.isValidName(input.name) {
            report("\(path).name", "'\(input.name)' must match ^[a-z][a-z0-9_]*$")
        } else if EnvironmentName.problem(input.environmentName) != nil {
            report("\(path).name", "'\(input.name)' would become the reserved variable \(input.environmentName)")
        }
        if !seen.insert(input.name).inserted {
            report("\(path).name", "'\(input.name)' is used by another input")
        }
        if input.label.trimmingCharacters(in: .whitespaces).isEmpty { report("\(path).label", "must not be empty") }
        checkRules(input, at: path)
        checkOptions(input, at: path)
        if input.type == .password, input.defaultValue != nil {
            report("\(path).default", "a password input cannot have a default; use generate: { length: 32 }")
        } else if let defaultValue = input.defaultValue, (try? InputValueCheck.normalise(defaultValue, for: input).get()) == nil {
            if case .failure(let failure) = InputValueCheck.normalise(defaultValue, for: input) {
                report("\(path).default", "'\(defaultValue)' \(failure)")
            }
        }
        if let length = input.generateLength {
            if input.type != .password { report("\(path).generate", "only password inputs can be generated") }
            if !(8...256).contains(length) { report("\(path).generate.length", "must be between 8 and 256") }
        }
        for (controller, values) in input.visibleIf.sorted(by: { $0.key < $1.key }) {
            checkCondition(of: input, controller: controller, values: values, at: "\(path).visible_if.\(controller)")
        }
    }

    private mutating func checkRules(_ input: InputSpec, at path: String) {
        let rules = input.rules
        if let pattern = rules.pattern {
            do {
                _ = try NSRegularExpression(pattern: pattern)
            } catch {
                report("\(path).validation.pattern", "does not compile as a regular expression")
            }
        }
        let textual: Set<InputType> = [.string, .text, .password, .email, .domain, .url]
        if rules.minLength != nil || rules.maxLength != nil, !textual.contains(input.type) {
            report("\(path).validation", "min_length and max_length apply to text inputs, not \(input.type.rawValue)")
        }
        if let minLength = rules.minLength, minLength < 0 { report("\(path).validation.min_length", "must not be negative") }
        if let maxLength = rules.maxLength, !(1...InputValueCheck.absoluteMaxLength).contains(maxLength) {
            report("\(path).validation.max_length", "must be between 1 and \(InputValueCheck.absoluteMaxLength)")
        }
        if let minLength = rules.minLength, let maxLength = rules.maxLength, minLength > maxLength {
            report("\(path).validation.min_length", "is greater than max_length")
        }
        if rules.min != nil || rules.max != nil, input.type != .integer && input.type != .port {
            report("\(path).validation", "min and max apply to integer and port inputs, not \(input.type.rawValue)")
        }
        if let minimum = rules.min, let maximum = rules.max, minimum > maximum {
            report("\(path).validation.min", "is greater than max")
        }
    }

    private mutating func checkOptions(_ input: InputSpec, at path: String) {
        guard input.type == .select else {
            if !input.options.isEmpty { report("\(path).options", "only select inputs have options") }
            return
        }
        if input.options.isEmpty {
            report("\(path).options", "a select input needs at least one option")
        }
        var seen: Set<String> = []
        for (index, option) in input.options.enumerated() {
            if option.value.isEmpty { report("\(path).options[\(index)]", "must not be empty") }
            if !seen.insert(option.value).inserted { report("\(path).options[\(index)]", "'\(option.value)' is listed twice") }
        }
    }

    private mutating func checkCondition(of input: InputSpec, controller: String, values: [String], at path: String) {
        if controller == input.name {
            report(path, "an input cannot be hidden behind itself")
            return
        }
        guard let controlling = manifest.input(named: controller) else {
            report(path, "names no input of this app")
            return
        }
        if values.isEmpty { report(path, "must give at least one value") }
        for value in values {
            if case .failure(let failure) = InputValueCheck.normalise(value, for: controlling) {
                report(path, "'\(value)' is not a value \(controller) can take: it \(failure)")
            }
        }
    }

    /// An input hidden behind an input that is (eventually) hidden behind it can never be shown.
    private mutating func checkVisibilityCycles() {
        for (position, input) in manifest.inputs.enumerated() {
            var frontier = input.visibleIf.keys.filter { $0 != input.name }
            var visited: Set<String> = []
            while let next = frontier.popLast() {
                if next == input.name {
                    report("\(parsed.inputPath(position)).visible_if", "'\(input.name)' is hidden behind itself through other inputs")
                    break
                }
                guard visited.insert(next).inserted else { continue }
                frontier += manifest.input(named: next)?.visibleIf.keys.map { $0 } ?? []
            }
        }
    }

    private mutating func report(_ path: String, _ message: String) {
        problems.append(ManifestProblem(file: parsed.file, path: path, line: parsed.line(of: path), message: message))
    }
}
