import Foundation

/// An app as loaded: its manifest and the folder its scripts are in.
public struct CatalogApp: Sendable, Equatable {
    public var manifest: Manifest
    public var directory: String
}

/// Loads app folders from catalog directories and checks each manifest and the catalog as a whole.
public enum CatalogLoader {
    /// What loading found: the apps without problems, and every problem of the others.
    public struct Result: Sendable {
        public var apps: [CatalogApp]
        public var problems: [ManifestProblem]
    }

    /// Loads every app under `directories`. A directory holding `manifest.yml` is one app; otherwise
    /// each of its sub-folders with a `manifest.yml` is. Later directories cannot redefine an app id.
    public static func load(directories: [String]) -> Result {
        var loaded: [(app: CatalogApp, parsed: ManifestParser.Result)] = []
        var problems: [ManifestProblem] = []
        var broken: Set<String> = []  // directories of apps with problems
        for directory in directories {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                problems.append(ManifestProblem(file: directory, path: "", line: nil, message: "is not a directory"))
                continue
            }
            for appDirectory in appDirectories(in: directory) {
                let parsed = ManifestParser.load(path: appDirectory + "/manifest.yml")
                problems += parsed.problems
                guard let manifest = parsed.manifest else {
                    broken.insert(appDirectory)
                    continue
                }
                let found = ManifestValidator.validate(manifest, parsed: parsed, directory: appDirectory)
                problems += found
                if !parsed.problems.isEmpty || !found.isEmpty { broken.insert(appDirectory) }
                loaded.append((CatalogApp(manifest: manifest, directory: appDirectory), parsed))
            }
        }
        let catalogProblems = catalogWide(loaded)
        problems += catalogProblems
        broken.formUnion(catalogProblems.map { ($0.file as NSString).deletingLastPathComponent })
        let apps = loaded.map(\.app).filter { !broken.contains($0.directory) }.sorted { $0.manifest.id < $1.manifest.id }
        return Result(apps: apps, problems: problems)
    }

    static func appDirectories(in directory: String) -> [String] {
        let root = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        if FileManager.default.fileExists(atPath: root + "/manifest.yml") { return [root] }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return entries.sorted().map { "\(root)/\($0)" }.filter { FileManager.default.fileExists(atPath: $0 + "/manifest.yml") }
    }

    /// Ids are unique; `requires` names known apps and has no cycles.
    private static func catalogWide(_ loaded: [(app: CatalogApp, parsed: ManifestParser.Result)]) -> [ManifestProblem] {
        var problems: [ManifestProblem] = []
        var firstFile: [String: String] = [:]
        for (app, parsed) in loaded {
            let id = app.manifest.id
            if let other = firstFile[id] {
                problems.append(
                    .init(file: parsed.file, path: "id", line: parsed.line(of: "id"), message: "'\(id)' is already the id of \(other)"))
            } else {
                firstFile[id] = parsed.file
            }
        }
        let byID = Dictionary(loaded.map { ($0.app.manifest.id, $0) }, uniquingKeysWith: { first, _ in first })
        for (app, parsed) in loaded {
            for (index, required) in app.manifest.requires.enumerated() {
                let path = "requires[\(index)]"
                if required == app.manifest.id {
                    problems.append(
                        .init(file: parsed.file, path: path, line: parsed.line(of: path), message: "an app cannot require itself"))
                } else if byID[required] == nil {
                    problems.append(
                        .init(
                            file: parsed.file, path: path, line: parsed.line(of: path),
                            message: "'\(required)' is not an app of the catalog"))
                }
            }
            if let cycle = requirementCycle(from: app.manifest.id, byID: byID.mapValues(\.app.manifest.requires)) {
                problems.append(
                    .init(
                        file: parsed.file, path: "requires", line: parsed.line(of: "requires"),
                        message: "requirements form a cycle: \(cycle.joined(separator: " → "))"))
            }
        }
        return problems
    }

    /// A cycle of `requires` through `start`, as the ids along it, or `nil`.
    static func requirementCycle(from start: String, byID requires: [String: [String]]) -> [String]? {
        var stack: [(id: String, path: [String])] = (requires[start] ?? []).filter { $0 != start }.map { ($0, [start, $0]) }
        var visited: Set<String> = []
        while let (id, path) = stack.popLast() {
            if id == start { return path }
            guard visited.insert(id).inserted else { continue }
            stack += (requires[id] ?? []).map { ($0, path + [$0]) }
        }
        return nil
    }
}
