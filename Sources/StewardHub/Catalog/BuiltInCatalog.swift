import Foundation

/// Finds the catalog that ships with Steward, wherever the hub runs from.
public enum BuiltInCatalog {
    /// The first of: `STEWARD_BUILTIN_CATALOG`; `<prefix>/share/steward/catalog` next to an installed binary;
    /// the `catalog/` folder of the source tree the binary was built in (`swift run`, tests).
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let configured = environment["STEWARD_BUILTIN_CATALOG"] { return configured }
        let executable = URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        let installed = executable.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("share/steward/catalog")
            .path
        if isDirectory(installed) { return installed }
        // This file is Sources/StewardHub/Catalog/BuiltInCatalog.swift in the source tree.
        let sourceTree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("catalog").path
        return isDirectory(sourceTree) ? sourceTree : nil
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
