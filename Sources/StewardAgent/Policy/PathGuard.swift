import Foundation
import StewardCore

#if canImport(Glibc)
import Glibc
#endif

/// Keeps file steps inside the policy's roots, however the path is spelled and wherever symbolic
/// links point.
enum PathGuard {
    /// Why `path` is not safely inside one of `roots`, or `nil` when it is.
    static func refusal(of path: String, roots: [String]) -> String? {
        guard StepCheck.isNormalisedAbsolutePath(path) else { return "\(path) is not a normalised absolute path" }
        guard let root = roots.first(where: { path.hasPrefix($0 + "/") }) else {
            return "\(path) is outside this agent's file roots"
        }
        // Where the path really leads: its directory with every symbolic link resolved must still be
        // inside the root, resolved the same way.
        let parent = String(path[..<path.lastIndex(of: "/")!])
        guard let realRoot = resolved(root) else { return "the root \(root) does not exist" }
        guard let realParent = resolved(parent.isEmpty ? "/" : parent) else { return "the directory of \(path) does not exist" }
        guard realParent == realRoot || realParent.hasPrefix(realRoot + "/") else {
            return "\(path) leads out of \(root) through a symbolic link"
        }
        // The file itself must not be a link either: it could point anywhere.
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK { return "\(path) is a symbolic link" }
        return nil
    }

    private static func resolved(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}
