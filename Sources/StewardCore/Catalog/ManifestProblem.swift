/// Something wrong with a manifest, located as precisely as the YAML allows.
public struct ManifestProblem: Sendable, Equatable, CustomStringConvertible, Codable {
    /// The manifest file.
    public var file: String
    /// Where in the manifest: `inputs[2].validation.pattern`, or empty for the whole file.
    public var path: String
    /// The 1-based line, when known.
    public var line: Int?
    public var message: String

    public init(file: String, path: String, line: Int?, message: String) {
        self.file = file
        self.path = path
        self.line = line
        self.message = message
    }

    /// `catalog/nginx/manifest.yml:12: inputs[2].validation.pattern: does not compile: …`
    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return path.isEmpty ? "\(location): \(message)" : "\(location): \(path): \(message)"
    }
}
