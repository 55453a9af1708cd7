import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#endif

/// Process handling and measuring shared by the `steward bench` commands.
enum BenchSupport {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// This very binary, so a benchmark measures the build it runs from.
    static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static func launch(_ arguments: [String], environment extra: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs `body` with an HTTP client that is shut down afterwards, whatever happens.
    static func withHTTPClient(
        _ configuration: HTTPClient.Configuration = .init(), _ body: (HTTPClient) async throws -> Void
    ) async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await body(http)
            try await http.shutdown()
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    /// A new directory under the system's temporary directory, for one benchmark's hub and agents.
    static func scratchDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "steward-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    /// SIGTERM, then waits for the process to exit (SIGKILL after 5 s).
    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Milliseconds until `condition` holds, polling every 2 ms; fails after 30 s.
    static func timeUntil(_ condition: () async throws -> Bool) async throws -> Double {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(30) {
            if try await condition() {
                let elapsed = ContinuousClock.now - start
                return milliseconds(elapsed)
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw Failure(description: "gave up after 30 s")
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    /// The middle value (the mean of the two middle ones for an even count).
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The nearest-rank percentile: the smallest value with at least `percent` % of them at or below it.
    static func percentile(_ values: [Double], _ percent: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * percent / 100).rounded(.up)) - 1))]
    }

    /// A benchmark's report as one JSON object with sorted keys, for scripts.
    static func printJSON(_ report: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        Console.write(String(decoding: try encoder.encode(report), as: UTF8.self))
    }

    static func healthy(_ baseURL: String, http: HTTPClient) async -> Bool {
        let request = HTTPClientRequest(url: baseURL + "/api/v1/health")
        guard let response = try? await http.execute(request, timeout: .seconds(1)) else { return false }
        return response.status == .ok
    }

    /// The CPU time (user and system) a process has used, in seconds, from `/proc/PID/stat`.
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return 0 }
        // After the command name (which may hold spaces): state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `VmRSS` of a process, in MiB.
    static func residentMiB(_ pid: Int32) -> Double {
        statusField("VmRSS:", of: pid) / 1024
    }

    /// `VmHWM` of a process (its peak resident set since it started or since `resetPeakResident`), in MiB.
    static func peakResidentMiB(_ pid: Int32) -> Double {
        statusField("VmHWM:", of: pid) / 1024
    }

    /// Starts a new peak for `peakResidentMiB` (Linux 4.0 and later: "5" to `clear_refs`).
    static func resetPeakResident(_ pid: Int32) {
        try? "5".write(toFile: "/proc/\(pid)/clear_refs", atomically: false, encoding: .utf8)
    }

    /// A field of `/proc/PID/status` counted in kB, such as `VmRSS:`; 0 when it cannot be read.
    private static func statusField(_ name: String, of pid: Int32) -> Double {
        kilobytes(name, in: "/proc/\(pid)/status") ?? 0
    }

    /// A `Name:  123 kB` field of a `/proc` file (`status`, `smaps_rollup`); `nil` when the file
    /// cannot be read, 0 when it has no such field.
    static func kilobytes(_ name: String, in file: String) -> Double? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Double($0) } ?? 0
        }
        return 0
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
