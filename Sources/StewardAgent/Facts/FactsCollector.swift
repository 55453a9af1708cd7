import Foundation
import StewardCore

#if canImport(Glibc)
import Glibc
#endif

/// Reads what the agent reports about its server: OS, kernel, architecture, CPUs and memory.
///
/// Paths are parameters so tests can point them at fixtures; everything degrades to `unknown`
/// rather than failing, because a server with an odd `/etc/os-release` must still enroll.
public struct FactsCollector: Sendable {
    public var osReleasePath = "/etc/os-release"
    public var meminfoPath = "/proc/meminfo"

    public init() {}

    public func collect() -> Wire.Facts {
        let osRelease = Self.parseOSRelease((try? String(contentsOfFile: osReleasePath, encoding: .utf8)) ?? "")
        var names = utsname()
        uname(&names)
        return Wire.Facts(
            osID: osRelease["ID"] ?? "unknown",
            osVersion: osRelease["VERSION_ID"] ?? "unknown",
            kernel: Self.string(from: &names.release),
            architecture: Self.string(from: &names.machine),
            cpuCount: ProcessInfo.processInfo.activeProcessorCount,
            memoryBytes: memoryBytes(),
            agentVersion: StewardVersion.current)
    }

    /// The machine's host name, as the server's default display name.
    public static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `KEY=value` lines of os-release(5); values may be quoted.
    static func parseOSRelease(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            var value = String(trimmed[trimmed.index(after: equals)...])
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            result[String(trimmed[..<equals])] = value
        }
        return result
    }

    private func memoryBytes() -> Int64 {
        guard let text = try? String(contentsOfFile: meminfoPath, encoding: .utf8) else {
            return Int64(ProcessInfo.processInfo.physicalMemory)
        }
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("MemTotal:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kibibytes = Int64(fields[1]) { return kibibytes * 1024 }
        }
        return Int64(ProcessInfo.processInfo.physicalMemory)
    }

    private static func string<T>(from tuple: inout T) -> String {
        withUnsafeBytes(of: &tuple) { buffer in
            String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }
}
