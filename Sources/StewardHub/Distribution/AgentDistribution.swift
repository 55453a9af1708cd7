import Crypto
import Foundation
import StewardCore
import Synchronization

/// The agent binaries the hub serves to servers (`GET /downloads/steward-agent-linux-<arch>`, and
/// its `.sha256`): from `--agent-binaries DIR`, else the `steward-agent` built next to the running
/// hub (the demo, a release build's output), which is served as this machine's architecture.
final class AgentDistribution: Sendable {
    /// `uname -m` names the installer sends.
    static let architectures = ["x86_64", "aarch64"]
    let directory: String?
    private let digests = Mutex<[String: (size: Int, modified: Date, sha256: String)]>([:])

    init(directory: String?) {
        self.directory = directory
    }

    /// The file name a download is asked for, for an architecture.
    static func fileName(arch: String) -> String { "steward-agent-linux-\(arch)" }

    /// Where the binary for `arch` is, if the hub has one.
    func binary(arch: String) -> String? {
        guard Self.architectures.contains(arch) else { return nil }
        if let directory {
            let path = directory + "/" + Self.fileName(arch: arch)
            return FileManager.default.isExecutableFile(atPath: path) ? path : nil
        }
        guard arch == Self.hostArchitecture else { return nil }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let beside = (executable as NSString).deletingLastPathComponent + "/steward-agent"
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : nil
    }

    /// The binary's SHA-256 (hex), computed once per version of the file.
    func sha256(of path: String) throws -> String {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let size = attributes[.size] as? Int ?? 0
        let modified = attributes[.modificationDate] as? Date ?? .distantPast
        if let known = digests.withLock({ $0[path] }), known.size == size, known.modified == modified { return known.sha256 }
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        let digest = Hex.encode(hasher.finalize())
        digests.withLock { $0[path] = (size, modified, digest) }
        return digest
    }

    static var hostArchitecture: String {
        #if arch(x86_64)
        "x86_64"
        #elseif arch(arm64)
        "aarch64"
        #else
        "unknown"
        #endif
    }
}
