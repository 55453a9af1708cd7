import Foundation
import Logging
import StewardCore

/// The apps the hub offers, loaded and validated once at start-up.
public struct AppCatalog: Sendable {
    public let apps: [CatalogApp]

    public init(apps: [CatalogApp]) {
        self.apps = apps
    }

    /// Loads `directories`. Any problem stops the hub with the whole list, unless `skipInvalid`,
    /// in which case each problem is logged and the broken apps are left out.
    public static func load(directories: [String], skipInvalid: Bool, logger: Logger) throws(ConfigurationError) -> AppCatalog {
        let result = CatalogLoader.load(directories: directories)
        if !result.problems.isEmpty {
            guard skipInvalid else {
                throw ConfigurationError(
                    "the catalog has \(result.problems.count) problem\(result.problems.count == 1 ? "" : "s") "
                        + "(fix them, or start with --skip-invalid-apps to leave those apps out):\n"
                        + result.problems.map { "  \($0)" }.joined(separator: "\n"))
            }
            for problem in result.problems {
                logger.warning("skipping invalid app", metadata: ["problem": "\(problem)"])
            }
        }
        logger.info(
            "catalog loaded",
            metadata: ["catalog.apps": "\(result.apps.count)", "catalog.directories": "\(directories.joined(separator: ","))"])
        return AppCatalog(apps: result.apps)
    }

    public func app(id: String) -> CatalogApp? {
        apps.first { $0.manifest.id == id }
    }

    /// Apps whose id, name, description or category contain `query` (case-insensitive), in `category` if given.
    /// Everything `id` requires, directly or not, each after what it requires in turn: the order to
    /// install them in. The catalog loader already refused unknown and cyclic requirements.
    public func requirements(of id: String) -> [String] {
        var ordered: [String] = []
        func visit(_ appID: String) {
            for required in app(id: appID)?.manifest.requires ?? [] where !ordered.contains(required) {
                visit(required)
                if !ordered.contains(required) { ordered.append(required) }
            }
        }
        visit(id)
        return ordered
    }

    public func search(query: String?, category: String?) -> [CatalogApp] {
        let needle = query?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return apps.filter { app in
            let manifest = app.manifest
            if let category, manifest.category != category { return false }
            guard !needle.isEmpty else { return true }
            return [manifest.id, manifest.name, manifest.description, manifest.category].contains { $0.lowercased().contains(needle) }
        }
    }
}
