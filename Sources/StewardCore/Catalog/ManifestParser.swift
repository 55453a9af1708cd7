import Foundation
import Yams

/// Reads `manifest.yml` into a ``Manifest``, collecting every problem with its field path and line
/// instead of stopping at the first.
///
/// Scalars are read from their text, so quoted and unquoted values mean the same (`default: "true"`
/// and `default: true`), and manifests of the earlier platform (`install_script:` instead of
/// `scripts:`, `validation.allowed_values` for selects) load unchanged.
public struct ManifestParser {
    public let file: String
    private(set) var problems: [ManifestProblem] = []
    /// The line of every field seen, by path, so later checks can point at it too.
    private(set) var lines: [String: Int] = [:]
    /// For each parsed input, its index in the file (inputs that could not be read are left out of the manifest).
    private(set) var inputIndices: [Int] = []

    /// What parsing produced: the manifest when it could be built, every problem, and where each field is.
    public struct Result: Sendable {
        public var file: String
        public var manifest: Manifest?
        public var problems: [ManifestProblem]
        public var lines: [String: Int]
        public var inputIndices: [Int]

        /// The field path of the manifest's `position`-th input, as numbered in the file.
        public func inputPath(_ position: Int) -> String {
            "inputs[\(position < inputIndices.count ? inputIndices[position] : position)]"
        }

        /// The line of `path`, or of the nearest enclosing field that has one.
        public func line(of path: String) -> Int? {
            var path = path
            while !path.isEmpty {
                if let line = lines[path] { return line }
                guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
                path = String(path[..<cut])
            }
            return nil
        }
    }

    /// Parses `yaml`, the content of `file`.
    public static func parse(_ yaml: String, file: String) -> Result {
        var parser = ManifestParser(file: file)
        let manifest = parser.parseDocument(yaml)
        return Result(file: file, manifest: manifest, problems: parser.problems, lines: parser.lines, inputIndices: parser.inputIndices)
    }

    /// Reads and parses the file at `path`.
    public static func load(path: String) -> Result {
        do {
            return parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
        } catch {
            let problem = ManifestProblem(file: path, path: "", line: nil, message: "cannot be read: \(error.localizedDescription)")
            return Result(file: path, manifest: nil, problems: [problem], lines: [:], inputIndices: [])
        }
    }

    private init(file: String) {
        self.file = file
    }

    private static let topLevelKeys: Set<String> = [
        "id", "name", "version", "description", "category", "os_requirements", "requires", "inputs", "scripts",
        "install_script", "timeout_seconds", "idempotent", "retry", "outputs", "backup",
        "config_files",
    ]

    private mutating func parseDocument(_ yaml: String) -> Manifest? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            report("", line: Self.line(of: error), "is not valid YAML: \(Self.summary(of: error))")
            return nil
        } catch {
            report("", line: nil, "is not valid YAML: \(error)")
            return nil
        }
        guard let root, let fields = mapping(root, at: "", allowed: Self.topLevelKeys) else {
            if root == nil { report("", line: nil, "is empty") }
            return nil
        }
        let id = requiredString(fields, "id")
        let name = requiredString(fields, "name")
        let version = requiredString(fields, "version")
        let description = optionalString(fields, "description") ?? ""
        let category = optionalString(fields, "category") ?? "other"
        let osRequirements = fields["os_requirements"].flatMap { parseOSRequirements($0) }
        let requires = fields["requires"].map { stringList($0, at: "requires") } ?? []
        let inputs = fields["inputs"].map { parseInputs($0) } ?? []
        let scripts = parseScripts(fields)
        let timeout = fields["timeout_seconds"].flatMap { integer($0, at: "timeout_seconds") } ?? 600
        let idempotent = fields["idempotent"].flatMap { boolean($0, at: "idempotent") } ?? false
        let retry = fields["retry"].flatMap { parseRetry($0) } ?? .standard
        let outputs = fields["outputs"].map { parseOutputs($0) } ?? []
        guard let id, let name, let version, let scripts else { return nil }
        var manifest = Manifest(
            id: id, name: name, version: version, description: description, category: category,
            osRequirements: osRequirements, requires: requires, inputs: inputs, scripts: scripts,
            timeoutSeconds: Int(clamping: timeout), idempotent: idempotent, retry: retry, outputs: outputs.map(\.name))
        manifest.secretOutputs = outputs.filter(\.secret).map(\.name)
        if let node = fields["backup"], let backup = mapping(node, at: "backup", allowed: ["paths"]) {
            manifest.backupPaths = backup["paths"].map { stringList($0, at: "backup.paths") } ?? []
        }
        manifest.configFiles = fields["config_files"].map { parseConfigFiles($0) } ?? []
        return manifest
    }

    /// `config_files`: each a path, or `{ path: /etc/app/key.pem, secret: true }`.
    private mutating func parseConfigFiles(_ node: Node) -> [Manifest.ConfigFile] {
        guard case .sequence(let sequence) = node else {
            report("config_files", line: node.mark?.line, "must be a list")
            return []
        }
        return sequence.enumerated().compactMap { index, item in
            let path = "config_files[\(index)]"
            if item.scalar != nil { return string(item, at: path).map { Manifest.ConfigFile(path: $0) } }
            guard let fields = mapping(item, at: path, allowed: ["path", "secret"]) else { return nil }
            let secret = fields["secret"].flatMap { boolean($0, at: "\(path).secret") } ?? false
            guard let pathNode = fields["path"] else {
                report("\(path).path", line: item.mark?.line, "is required")
                return nil
            }
            return string(pathNode, at: "\(path).path").map { Manifest.ConfigFile(path: $0, secret: secret) }
        }
    }

    /// `outputs`: each a name, or `{ name: api_key, secret: true }`.
    private mutating func parseOutputs(_ node: Node) -> [(name: String, secret: Bool)] {
        guard case .sequence(let sequence) = node else {
            report("outputs", line: node.mark?.line, "must be a list")
            return []
        }
        return sequence.enumerated().compactMap { index, item in
            let path = "outputs[\(index)]"
            if item.scalar != nil { return string(item, at: path).map { ($0, false) } }
            guard let fields = mapping(item, at: path, allowed: ["name", "secret"]) else { return nil }
            let secret = fields["secret"].flatMap { boolean($0, at: "\(path).secret") } ?? false
            guard let nameNode = fields["name"] else {
                report("\(path).name", line: item.mark?.line, "is required")
                return nil
            }
            return string(nameNode, at: "\(path).name").map { ($0, secret) }
        }
    }

    private mutating func parseOSRequirements(_ node: Node) -> Manifest.OSRequirements? {
        guard let fields = mapping(node, at: "os_requirements", allowed: ["family", "min_version"]) else { return nil }
        let family =
            fields["family"].map { node in
                node.scalar != nil
                    ? [string(node, at: "os_requirements.family")].compactMap { $0 } : stringList(node, at: "os_requirements.family")
            } ?? []
        return .init(family: family, minVersion: fields["min_version"].flatMap { string($0, at: "os_requirements.min_version") })
    }

    private mutating func parseScripts(_ fields: Fields) -> Manifest.Scripts? {
        switch (fields["scripts"], fields["install_script"]) {
        case (.some, .some):
            report("install_script", line: fields["install_script"]?.mark?.line, "give either scripts or install_script, not both")
            return nil
        case (nil, .some(let node)):
            return string(node, at: "install_script").map { Manifest.Scripts(install: $0) }
        case (.some(let node), nil):
            guard let scripts = mapping(node, at: "scripts", allowed: Set(ScriptRole.allCases.map(\.rawValue))) else { return nil }
            guard let installNode = scripts["install"] else {
                report("scripts.install", line: node.mark?.line, "is required")
                return nil
            }
            guard let install = string(installNode, at: "scripts.install") else { return nil }
            return Manifest.Scripts(
                install: install,
                uninstall: scripts["uninstall"].flatMap { string($0, at: "scripts.uninstall") },
                upgrade: scripts["upgrade"].flatMap { string($0, at: "scripts.upgrade") },
                health: scripts["health"].flatMap { string($0, at: "scripts.health") },
                backup: scripts["backup"].flatMap { string($0, at: "scripts.backup") },
                restore: scripts["restore"].flatMap { string($0, at: "scripts.restore") })
        case (nil, nil):
            report("scripts", line: nil, "is required (at least scripts.install)")
            return nil
        }
    }

    private mutating func parseRetry(_ node: Node) -> Manifest.RetryPolicy? {
        guard let fields = mapping(node, at: "retry", allowed: ["max_attempts", "backoff_seconds"]) else { return nil }
        var policy = Manifest.RetryPolicy.standard
        if let value = fields["max_attempts"].flatMap({ integer($0, at: "retry.max_attempts") }) {
            policy.maxAttempts = Int(clamping: value)
        }
        if let node = fields["backoff_seconds"] {
            let texts = stringList(node, at: "retry.backoff_seconds")
            policy.backoffSeconds = texts.enumerated().compactMap { index, text in
                guard let seconds = Int(text) else {
                    report("retry.backoff_seconds[\(index)]", line: node.mark?.line, "must be a whole number of seconds")
                    return nil
                }
                return seconds
            }
        }
        return policy
    }

    private static let inputKeys: Set<String> = [
        "name", "type", "label", "help", "description", "required", "default", "validation", "options", "visible_if",
        "generate", "placeholder",
    ]

    private mutating func parseInputs(_ node: Node) -> [InputSpec] {
        guard case .sequence(let sequence) = node else {
            report("inputs", line: node.mark?.line, "must be a list of inputs")
            return []
        }
        return sequence.enumerated().compactMap { index, node in
            lines["inputs[\(index)]"] = node.mark?.line
            guard let input = parseInput(node, at: "inputs[\(index)]") else { return nil }
            inputIndices.append(index)
            return input
        }
    }

    private mutating func parseInput(_ node: Node, at path: String) -> InputSpec? {
        guard let fields = mapping(node, at: path, allowed: Self.inputKeys) else { return nil }
        guard let nameNode = fields["name"] else {
            report("\(path).name", line: node.mark?.line, "is required")
            return nil
        }
        guard let name = string(nameNode, at: "\(path).name") else { return nil }
        var type = InputType.string
        if let typeNode = fields["type"], let text = string(typeNode, at: "\(path).type") {
            if let known = InputType(rawValue: text) {
                type = known
            } else {
                report(
                    "\(path).type", line: typeNode.mark?.line,
                    "'\(text)' is not an input type; use one of \(InputType.allCases.map(\.rawValue).joined(separator: ", "))")
                return nil
            }
        }
        var rules = InputSpec.Rules()
        if let validation = fields["validation"],
            let ruleFields = mapping(
                validation, at: "\(path).validation", allowed: ["pattern", "min_length", "max_length", "min", "max", "allowed_values"])
        {
            rules.pattern = ruleFields["pattern"].flatMap { string($0, at: "\(path).validation.pattern") }
            rules.minLength = ruleFields["min_length"].flatMap { integer($0, at: "\(path).validation.min_length") }.map {
                Int(clamping: $0)
            }
            rules.maxLength = ruleFields["max_length"].flatMap { integer($0, at: "\(path).validation.max_length") }.map {
                Int(clamping: $0)
            }
            rules.min = ruleFields["min"].flatMap { integer($0, at: "\(path).validation.min") }
            rules.max = ruleFields["max"].flatMap { integer($0, at: "\(path).validation.max") }
            rules.allowedValues = ruleFields["allowed_values"].map { stringList($0, at: "\(path).validation.allowed_values") }
        }
        var options: [InputSpec.Option] = []
        if let optionsNode = fields["options"] {
            options = parseOptions(optionsNode, at: "\(path).options")
        } else if type == .select, let allowed = rules.allowedValues {
            // The earlier platform listed a select's choices as validation.allowed_values.
            options = allowed.map { .init(value: $0, label: $0) }
        }
        var visibleIf: [String: [String]] = [:]
        if let visibleNode = fields["visible_if"], let conditions = mapping(visibleNode, at: "\(path).visible_if", allowed: nil) {
            for (key, valueNode) in conditions.pairs {
                let conditionPath = "\(path).visible_if.\(key)"
                visibleIf[key] =
                    valueNode.scalar != nil
                    ? [string(valueNode, at: conditionPath)].compactMap { $0 } : stringList(valueNode, at: conditionPath)
            }
        }
        var generateLength: Int?
        if let generateNode = fields["generate"], let generate = mapping(generateNode, at: "\(path).generate", allowed: ["length"]) {
            generateLength = generate["length"].flatMap { integer($0, at: "\(path).generate.length") }.map { Int(clamping: $0) } ?? 32
        }
        let help =
            fields["help"].flatMap { string($0, at: "\(path).help") }
            ?? fields["description"].flatMap { string($0, at: "\(path).description") }
        return InputSpec(
            name: name, type: type, label: fields["label"].flatMap { string($0, at: "\(path).label") } ?? Self.humanise(name),
            help: help, required: fields["required"].flatMap { boolean($0, at: "\(path).required") } ?? false,
            defaultValue: fields["default"].flatMap { defaultValue($0, at: "\(path).default") }, rules: rules, options: options,
            visibleIf: visibleIf, generateLength: generateLength)
    }

    private mutating func parseOptions(_ node: Node, at path: String) -> [InputSpec.Option] {
        guard case .sequence(let sequence) = node else {
            report(path, line: node.mark?.line, "must be a list of choices")
            return []
        }
        return sequence.enumerated().compactMap { index, item in
            if item.scalar != nil {
                return string(item, at: "\(path)[\(index)]").map { .init(value: $0, label: $0) }
            }
            guard let fields = mapping(item, at: "\(path)[\(index)]", allowed: ["value", "label"]),
                let value = fields["value"].flatMap({ string($0, at: "\(path)[\(index)].value") })
            else {
                report("\(path)[\(index)].value", line: item.mark?.line, "is required")
                return nil
            }
            return .init(value: value, label: fields["label"].flatMap { string($0, at: "\(path)[\(index)].label") } ?? value)
        }
    }

    // MARK: Reading nodes

    /// A mapping's entries by key, in document order.
    struct Fields {
        var pairs: [(String, Node)]

        subscript(key: String) -> Node? {
            pairs.first { $0.0 == key }?.1
        }
    }

    private mutating func mapping(_ node: Node, at path: String, allowed: Set<String>?) -> Fields? {
        guard case .mapping(let mapping) = node else {
            report(path, line: node.mark?.line, "must be a mapping of keys to values")
            return nil
        }
        var pairs: [(String, Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                report(path, line: keyNode.mark?.line, "keys must be plain text")
                continue
            }
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            lines[keyPath] = keyNode.mark?.line
            if pairs.contains(where: { $0.0 == key }) {
                report(keyPath, line: keyNode.mark?.line, "is given twice")
                continue
            }
            if let allowed, !allowed.contains(key) {
                report(keyPath, line: keyNode.mark?.line, "is not a known field")
                continue
            }
            pairs.append((key, value))
        }
        return Fields(pairs: pairs)
    }

    private mutating func requiredString(_ fields: Fields, _ key: String) -> String? {
        guard let node = fields[key] else {
            report(key, line: nil, "is required")
            return nil
        }
        return string(node, at: key)
    }

    private mutating func optionalString(_ fields: Fields, _ key: String) -> String? {
        fields[key].flatMap { string($0, at: key) }
    }

    private mutating func string(_ node: Node, at path: String) -> String? {
        guard let scalar = node.scalar else {
            report(path, line: node.mark?.line, "must be a single value, not a list or mapping")
            return nil
        }
        return scalar.string
    }

    /// A default's text; YAML `null` or `~` means "no default".
    private mutating func defaultValue(_ node: Node, at path: String) -> String? {
        if node.null != nil, node.scalar?.style == .plain { return nil }
        return string(node, at: path)
    }

    private mutating func integer(_ node: Node, at path: String) -> Int64? {
        guard let text = string(node, at: path) else { return nil }
        guard let value = Int64(text) else {
            report(path, line: node.mark?.line, "must be a whole number, not '\(text)'")
            return nil
        }
        return value
    }

    private mutating func boolean(_ node: Node, at path: String) -> Bool? {
        guard let text = string(node, at: path) else { return nil }
        switch text.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default:
            report(path, line: node.mark?.line, "must be true or false, not '\(text)'")
            return nil
        }
    }

    private mutating func stringList(_ node: Node, at path: String) -> [String] {
        guard case .sequence(let sequence) = node else {
            report(path, line: node.mark?.line, "must be a list")
            return []
        }
        return sequence.enumerated().compactMap { index, item in string(item, at: "\(path)[\(index)]") }
    }

    private mutating func report(_ path: String, line: Int?, _ message: String) {
        problems.append(ManifestProblem(file: file, path: path, line: line, message: message))
    }

    /// `admin_password` → `Admin password`.
    static func humanise(_ name: String) -> String {
        let words = name.split(separator: "_").joined(separator: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: nil
        }
    }

    private static func summary(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        case .duplicatedKeysInMapping(let duplicates, _): "keys given twice: \(duplicates.joined(separator: ", "))"
        default: "\(error)"
        }
    }
}
