import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real `steward` process started by a test, its standard output and error captured in one file.
public final class StewardProcess: @unchecked Sendable {
    public let process = Process()
    public let logPath: String

    /// The `steward` binary built next to the test bundle, or `STEWARD_BINARY`.
    public static var binary: String {
        if let path = ProcessInfo.processInfo.environment["STEWARD_BINARY"] { return path }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("steward").path
    }

    /// `input`, when given, is the process's standard input (kept next to the log).
    public init(_ arguments: [String], environment extra: [String: String] = [:], input: String? = nil, logPath: String) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw TestFailure("no steward binary at \(Self.binary); run `swift build` first or set STEWARD_BINARY")
        }
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment.merge(extra) { _, new in new }
        process.environment = environment
        if let input {
            try Data(input.utf8).write(to: URL(fileURLWithPath: logPath + ".in"))
            process.standardInput = FileHandle(forReadingAtPath: logPath + ".in")
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// A test that fails half-way must not leave hubs and agents running behind it.
    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    public var output: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    public var isRunning: Bool { process.isRunning }

    public func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits for the process to end and returns its exit status; fails after `timeout`.
    public func waitForExit(timeout: Duration = .seconds(20)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                throw TestFailure("process \(process.arguments ?? []) still running after \(timeout); output:\n\(output)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    /// Ends the process however it can: SIGTERM, then SIGKILL.
    public func stop() async {
        signal(SIGTERM)
        if (try? await waitForExit(timeout: .seconds(5))) == nil {
            signal(SIGKILL)
            _ = try? await waitForExit(timeout: .seconds(5))
        }
    }
}

/// Polls `condition` every 50 ms until it holds; fails with `what` after `timeout`.
@discardableResult
public func eventually(
    _ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool
) async throws -> Duration {
    let start = ContinuousClock.now
    while ContinuousClock.now - start < timeout {
        if (try? await condition()) == true { return ContinuousClock.now - start }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TestFailure("timed out after \(timeout) waiting for: \(what)")
}
