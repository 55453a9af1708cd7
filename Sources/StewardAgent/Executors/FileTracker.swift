import Crypto
import Foundation
import StewardCore

#if canImport(Glibc)
import Glibc
#endif

/// Reads files for config history: after a step wrote them, after an app's script (its declared
/// `config_files`), and for the drift check. What a file holds is returned up to
/// ``Wire/Job/FileState/maxContentBytes``; its SHA-256 and size always.
struct FileTracker {
    let policy: AgentPolicy
    /// Files larger than this are not read at all: no config file is, and hashing one would take long.
    static let maxHashedBytes = 64 << 20

    func state(of path: String, app: String?) -> Wire.Job.FileState {
        if let refusal = policy.trackingRefusal(of: path, app: app) { return .init(path: path, exists: false, error: refusal) }
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return .init(path: path, exists: false) }
            return .init(path: path, exists: false, error: "cannot read: \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { return .init(path: path, exists: true, error: "is not a regular file") }
        guard Int(info.st_size) <= Self.maxHashedBytes else {
            return .init(path: path, exists: true, size: Int64(info.st_size), error: "is larger than \(Self.maxHashedBytes) bytes")
        }
        do {
            let (data, _) = try StepExecutor.read(path, limit: Self.maxHashedBytes, followLinks: true)
            let digest = Hex.encode(SHA256.hash(data: data))
            let content = data.count <= Wire.Job.FileState.maxContentBytes ? data.base64EncodedString() : nil
            return .init(path: path, exists: true, sha256: digest, size: Int64(data.count), content: content)
        } catch {
            return .init(path: path, exists: true, error: "cannot read: \(error)")
        }
    }
}
