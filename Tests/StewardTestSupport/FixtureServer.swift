import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A Python fixture server (the webhook receiver, aiosmtpd) run by a test in its own folder, on a
/// free loopback port: started once it prints READY, SIGKILLed when dropped (a child of the test
/// runner inherits its blocked signals, SIGTERM among them).
public final class FixtureServer: Sendable {
    public let directory: TemporaryDirectory
    public let port: Int
    let process: Process

    /// Runs `python3 script DIRECTORY PORT extra…`.
    public init(script: String, arguments extra: [String] = []) throws {
        directory = try TemporaryDirectory()
        port = try freeLoopbackPort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, directory.path, String(port)] + extra
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        guard String(decoding: output.fileHandleForReading.availableData, as: UTF8.self).contains("READY") else {
            kill(process.processIdentifier, SIGKILL)
            throw TestFailure("\(script) did not start")
        }
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        directory.remove()
    }

    /// The contents of `prefix-1.suffix`, `prefix-2.suffix`, … written so far, in order.
    public func files(_ prefix: String, suffix: String) -> [Data] {
        var result: [Data] = []
        while let data = FileManager.default.contents(atPath: "\(directory.path)/\(prefix)-\(result.count + 1).\(suffix)") {
            result.append(data)
        }
        return result
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on now, so a hub can be started again on it.
public func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw TestFailure("bind: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A webhook as the receiver fixture saw it.
public struct ReceivedWebhook: Decodable, Sendable {
    public var path: String
    public var headers: [String: String]
    public var body: String
    public var answered: Int

    public static func all(in server: FixtureServer) throws -> [ReceivedWebhook] {
        try server.files("request", suffix: "json").map { try JSONDecoder().decode(ReceivedWebhook.self, from: $0) }
    }
}
