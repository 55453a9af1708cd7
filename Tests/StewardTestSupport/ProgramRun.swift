import Foundation

/// What a program said and how it ended.
public struct ProgramRun: Sendable {
    public var status: Int32
    /// Standard output and standard error together.
    public var output: String

    /// Runs `arguments` (the program found on `PATH`, then its arguments) to its end: in `directory`,
    /// with `environment` (the test's own when `nil`) and `input` on its standard input.
    public init(_ arguments: [String], in directory: String? = nil, environment: [String: String]? = nil, input: Data? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        self.status = process.terminationStatus
        self.output = String(decoding: output, as: UTF8.self)
    }

    /// A clean environment for `git`, `tar` and `patch` in `home`: no user or system git settings.
    public static func toolEnvironment(home: String) -> [String: String] {
        ["PATH": "/usr/bin:/bin", "HOME": home, "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"]
    }
}
