import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that a crash leaves either the old content or the new, never a torn mix:
/// temp file in the same directory → write → fsync → rename → fsync the directory.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var operation: String
        public var errno: Int32

        public init(path: String, operation: String, errno: Int32) {
            self.path = path
            self.operation = operation
            self.errno = errno
        }

        public var description: String {
            "cannot \(operation) \(path): \(String(cString: strerror(errno)))"
        }
    }

    /// Writes `data` to `path` with permission bits `mode` (0600 for secrets) and, when given, the
    /// owner and group (set on the new file before it replaces the old one).
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o600, owner: (uid_t, gid_t)? = nil) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temp = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw WriteError(path: temp, operation: "create", errno: errno) }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do {
            // The umask may have narrowed `mode`; secrets must never end up wider, and others need exactly it.
            if let (uid, gid) = owner, fchown(fd, uid, gid) != 0 { throw WriteError(path: temp, operation: "chown", errno: errno) }
            guard fchmod(fd, mode) == 0 else { throw WriteError(path: temp, operation: "chmod", errno: errno) }
            try data.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw WriteError(path: temp, operation: "write", errno: errno)
                    }
                    offset += written
                }
            }
            guard fsync(fd) == 0 else { throw WriteError(path: temp, operation: "fsync", errno: errno) }
            close(fd)
            closed = true
            guard rename(temp, path) == 0 else { throw WriteError(path: path, operation: "rename into", errno: errno) }
        } catch {
            unlink(temp)
            throw error
        }
        let directoryFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// Creates `path` and its parents if missing, with `mode` for the directories it creates.
    public static func makeDirectory(_ path: String, mode: Int = 0o700) throws {
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
    }
}
