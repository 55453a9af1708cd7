import Foundation
import StewardCore
import Subprocess
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Runs a job's script the way DESIGN.md §4 says: no terminal, stdin `/dev/null`, a fresh working
/// directory, a minimal environment plus the inputs, its own process group, and at the timeout
/// SIGTERM to the whole group, SIGKILL after a grace period, exit code 124.
public struct ScriptRunner: Sendable {
    /// What runs: a script (bash, from the signed job) or one program with its arguments, never a shell.
    public enum Program: Sendable {
        case script(Data)
        case executable(path: String, arguments: [String])
    }

    /// One script or program to run.
    public struct Request: Sendable {
        public var program: Program
        /// Where it runs; a fresh, empty directory when `nil`.
        public var workingDirectory: String?
        /// Input values as environment variables (`NAME` → value).
        public var inputs: [String: String]
        /// Values to mask in every line of output.
        public var secrets: [String]
        public var timeout: Duration
        public var killGrace: Duration = .seconds(5)
        /// Stops the script early when set (the job was cancelled).
        public var stop: StopSignal?
        /// Told the script's process group and working directory once it runs, and the group again
        /// once it is gone, so the agent can find what a crash of its own left running, or how it
        /// ended (``ProcessLedger``).
        public var onGroupStarted: (@Sendable (Int32, String) -> Void)?
        public var onGroupEnded: (@Sendable (Int32) -> Void)?
        /// Told the working directory just before the program starts: an agent killed between the
        /// start and `onGroupStarted` still leaves a note of where its script runs.
        public var onGroupStarting: (@Sendable (String) -> Void)?

        public init(script: Data, inputs: [String: String], secrets: [String], timeout: Duration, stop: StopSignal? = nil) {
            self.init(program: .script(script), inputs: inputs, secrets: secrets, timeout: timeout, stop: stop)
        }

        public init(
            program: Program, workingDirectory: String? = nil, inputs: [String: String] = [:], secrets: [String], timeout: Duration,
            stop: StopSignal? = nil
        ) {
            self.program = program
            self.workingDirectory = workingDirectory
            self.inputs = inputs
            self.secrets = secrets
            self.timeout = timeout
            self.stop = stop
        }
    }

    /// How the script ended.
    public struct Outcome: Sendable, Equatable {
        /// The exit status; 124 after a timeout, 128 + N when killed by signal N.
        public var exitCode: Int32
        public var timedOut: Bool
        /// Whether the stop signal ended it.
        public var stopped: Bool
        /// `name=value` lines the script wrote to `$STEWARD_OUTPUT`, secrets masked.
        public var outputs: [String: String]

        public init(exitCode: Int32, timedOut: Bool, stopped: Bool = false, outputs: [String: String]) {
            self.exitCode = exitCode
            self.timedOut = timedOut
            self.stopped = stopped
            self.outputs = outputs
        }
    }

    public static let timeoutExitCode: Int32 = 124
    /// Where a script's exit status is written, in its working directory, once it has ended.
    static let exitStatusFile = ".exit-status"
    /// Runs the script and writes its exit status next to it; its status file matters only when no
    /// agent is alive to see the script end. The wrapper waits out a SIGTERM (a no-op trap, which the
    /// script does not inherit, unlike an ignored signal): were it to die at once, the run would end
    /// and the group be killed at once, and a script's own TERM trap would get no grace period. The
    /// wrapper's own messages ("Terminated") go nowhere; the script gets the real stderr back (set by
    /// an inner exec: dash applies a command's redirections in the parent while it waits).
    static let statusWrapper =
        #"trap : TERM; exec 3>&2 2>/dev/null; /bin/bash -c 'exec 2>&3 3>&- /bin/bash ./script'; status=$?; printf '%s\n' "$status" > .exit-status.tmp && mv .exit-status.tmp \#(exitStatusFile); exit "$status""#
    static let path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Where fresh working directories are made (the agent's state directory).
    let workRoot: String

    public init(workRoot: String) {
        self.workRoot = workRoot
    }

    /// Runs `request`, handing each line of combined output, already masked, to `onLine` as it comes.
    public func run(_ request: Request, onLine: @escaping @Sendable (String) async -> Void) async throws -> Outcome {
        try AtomicFile.makeDirectory(workRoot)
        let directory = try makeWorkingDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let executable: Executable
        let arguments: Arguments
        switch request.program {
        case .script(let script):
            try AtomicFile.write(script, to: directory + "/script", mode: 0o700)
            // A small sh wrapper writes the script's exit status next to it: if the agent dies while
            // the script runs and the script ends before the agent is back, its result is not lost.
            (executable, arguments) = (.path("/bin/sh"), ["-c", Self.statusWrapper])
        case .executable(let path, let programArguments):
            (executable, arguments) = (.path(FilePath(path)), Arguments(programArguments))
        }
        let outputFile = directory + "/output"
        FileManager.default.createFile(atPath: outputFile, contents: nil, attributes: [.posixPermissions: 0o600])

        var environment = request.inputs
        environment["PATH"] = Self.path
        environment["LANG"] = "C.UTF-8"
        environment["DEBIAN_FRONTEND"] = "noninteractive"
        environment["HOME"] = directory
        environment["STEWARD_OUTPUT"] = outputFile
        var options = PlatformOptions()
        options.processGroupID = 0  // a new group led by the script, so the timeout reaches its children too
        let masker = SecretMasker(secrets: request.secrets)
        let timedOut = Flag()
        let stopped = Flag()

        // The watcher stops the group at the timeout or on the stop signal. It outlives the output:
        // a script can close its output and keep running, and its timeout must still hold.
        let group = ProcessGroup()
        let watcher = Task {
            guard let ending = await Self.firstEnding(timeout: request.timeout, stop: request.stop), !Task.isCancelled else { return }
            if ending == .timeout { timedOut.set() } else { stopped.set() }
            try await group.terminate(grace: request.killGrace)
        }
        defer { watcher.cancel() }
        request.onGroupStarting?(directory)
        let result = try await Subprocess.run(
            executable, arguments: arguments, environment: .custom(Self.keyed(environment)),
            workingDirectory: FilePath(request.workingDirectory ?? directory), platformOptions: options, input: .none, output: .sequence,
            error: .combinedWithOutput
        ) { execution in
            group.started(execution.processIdentifier.value)
            request.onGroupStarted?(execution.processIdentifier.value, directory)
            var splitter = LineSplitter()
            for try await buffer in execution.standardOutput {
                let lines = buffer.withUnsafeBytes { splitter.feed($0) }
                for line in lines { await onLine(masker.mask(line)) }
            }
            if let last = splitter.finish() { await onLine(masker.mask(last)) }
        }
        watcher.cancel()
        // The script has exited (and was reaped). Whatever it left in its group goes with it. Doing
        // this only now matters: at the end of the output the script may still be exiting, and a
        // SIGKILL then would turn its own exit status into 137.
        group.kill()
        if let leader = group.leaderID { request.onGroupEnded?(leader) }
        let exitCode: Int32 =
            switch result.terminationStatus {
            case .exited(let code): Int32(code)
            case .signaled(let signal): 128 + Int32(signal)
            }
        let outputs = Self.readOutputs(outputFile, masker: masker)
        return Outcome(
            exitCode: timedOut.isSet ? Self.timeoutExitCode : exitCode, timedOut: timedOut.isSet, stopped: stopped.isSet,
            outputs: outputs)
    }

    private enum Ending { case timeout, stop }

    /// Waits for the timeout, or for the stop signal when there is one, whichever comes first;
    /// `nil` when the wait was cancelled (the script ended first).
    private static func firstEnding(timeout: Duration, stop: StopSignal?) async -> Ending? {
        await withTaskGroup(of: Ending?.self) { race in
            race.addTask { (try? await Task.sleep(for: timeout)) == nil ? nil : .timeout }
            if let stop {
                race.addTask {
                    await stop.wait()
                    return stop.isStopped ? .stop : nil
                }
            }
            defer { race.cancelAll() }
            while let ending = await race.next() {
                if let ending { return ending }
            }
            return nil
        }
    }

    private func makeWorkingDirectory() throws -> String {
        var template = Array((workRoot + "/job-XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else {
            throw AtomicFile.WriteError(path: workRoot, operation: "create a working directory in", errno: errno)
        }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func keyed(_ environment: [String: String]) -> [Environment.Key: String] {
        var keyed: [Environment.Key: String] = [:]
        for (name, value) in environment {
            if let key = Environment.Key(rawValue: name) { keyed[key] = value }
        }
        return keyed
    }

    /// `name=value` lines, at most 64 KiB read; other lines are ignored.
    static func readOutputs(_ path: String, masker: SecretMasker) -> [String: String] {
        guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.read(upToCount: 64 * 1024) else { return [:] }
        var outputs: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let name = String(line[..<equals])
            guard name.wholeMatch(of: /[a-z][a-z0-9_]{0,63}/) != nil else { continue }
            outputs[name] = masker.mask(String(line[line.index(after: equals)...]))
        }
        return outputs
    }
}

/// The script's process group, known once it has started: signalled by the watcher, and cleared
/// of leftovers after the script exited.
private final class ProcessGroup: @unchecked Sendable {
    private let lock = NSLock()
    private var leader: pid_t?

    func started(_ pid: pid_t) { lock.withLock { leader = pid } }

    /// SIGTERM to the whole group, SIGKILL after `grace` for whatever is left.
    func terminate(grace: Duration) async throws {
        signal(SIGTERM)
        try await Task.sleep(for: grace)
        signal(SIGKILL)
    }

    func kill() { signal(SIGKILL) }

    var leaderID: pid_t? { lock.withLock { leader } }

    private func signal(_ number: Int32) {
        guard let leader = lock.withLock({ leader }) else { return }
        _ = killpg(leader, number)
    }
}

/// Set once by a watcher task (timeout, stop), read after the run.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
