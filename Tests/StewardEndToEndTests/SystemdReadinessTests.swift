import Foundation
import StewardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `Type=notify`: started with `NOTIFY_SOCKET`, as systemd starts it, the hub says `READY=1` on that
/// socket once it is migrated and listening, and not before.
struct SystemdReadinessTests {
    @Test("the hub sends READY=1 to NOTIFY_SOCKET after its migrations, when it answers")
    func ready() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let socketPath = directory.path + "/notify"
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(socketPath.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        _ = fcntl(descriptor, F_SETFL, O_NONBLOCK)

        let hub = try StewardProcess(
            ["hub", "--data-dir", directory.path + "/hub", "--listen", "127.0.0.1:0"],
            environment: ["NOTIFY_SOCKET": socketPath, "STEWARD_BOOTSTRAP_TOKEN": FleetEndToEndTests.ownerToken],
            logPath: directory.path + "/hub.log")
        defer { hub.signal(SIGTERM) }
        var message = ""
        try await eventually("the hub notifies systemd") {
            var buffer = [UInt8](repeating: 0, count: 512)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { return false }
            message = String(decoding: buffer[0..<count], as: UTF8.self)
            return true
        }
        #expect(message.hasPrefix("READY=1\n"))
        #expect(message.contains("STATUS=listening on 127.0.0.1:"))
        // By then the migrations ran and the hub answers.
        let api = try await HubAPI.connect(to: hub)
        #expect(try await api.servers().isEmpty)
        #expect(hub.output.contains("applied migration"))
    }
}
