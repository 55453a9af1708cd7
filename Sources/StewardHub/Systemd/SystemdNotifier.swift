import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `sd_notify` without libsystemd: under a `Type=notify` unit, systemd names a datagram socket in
/// `NOTIFY_SOCKET` and waits for `READY=1` on it before it counts the service as started. The hub
/// says so once its database is migrated and it listens, so `systemctl start` (and units ordered
/// after the hub) return only when it can answer.
enum SystemdNotifier {
    /// Sends `state` (e.g. `READY=1`) to systemd; `false` when not run by systemd or the send failed.
    @discardableResult
    static func notify(_ state: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty else { return false }
        var bytes = Array(path.utf8)
        // `@name` is a socket in the abstract namespace, whose name starts with a NUL byte.
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        var address = sockaddr_un()
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                message.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, 0, socketAddress, length) }
            }
        }
        return sent == message.count
    }
}
