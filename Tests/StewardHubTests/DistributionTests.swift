import Crypto
import Foundation
import HTTPTypes
import StewardTestSupport
import Testing

@testable import StewardHub

/// `GET /install.sh` and `GET /downloads/…`: the installer names this hub and is valid `sh`; a binary
/// comes with the SHA-256 the installer checks; nothing else on the disk can be asked for.
struct DistributionTests {
    @Test("the installer is valid sh naming this hub; binaries and their checksums come from --agent-binaries; other files do not")
    func downloads() async throws {
        let binaries = try TemporaryDirectory()
        defer { binaries.remove() }
        let bytes = Data((0..<100_000).map { UInt8($0 % 251) })
        let path = binaries.path + "/steward-agent-linux-x86_64"
        try bytes.write(to: URL(fileURLWithPath: path))
        chmod(path, 0o755)
        try Data("secret".utf8).write(to: URL(fileURLWithPath: binaries.path + "/steward-agent-linux-mips"))
        try await HubTestApp.run(agentBinaries: binaries.path) { client in
            // The hub as the request reached it: the router test client says localhost.
            let script = try await client.send(.get, "/install.sh", bearer: nil)
            #expect(script.status == .ok && script.headers[.contentType]?.hasPrefix("text/x-shellscript") == true)
            #expect(script.text.contains("HUB='http://localhost'"), "the test client's authority")
            let file = try TemporaryDirectory()
            defer { file.remove() }
            try script.body.write(to: URL(fileURLWithPath: file.path + "/install.sh"))
            let check = Process()
            check.executableURL = URL(fileURLWithPath: "/bin/sh")
            check.arguments = ["-n", file.path + "/install.sh"]
            try check.run()
            check.waitUntilExit()
            #expect(check.terminationStatus == 0, "sh -n finds the installer broken")
            #expect(!script.text.contains("--token"), "the token never goes on a command line")
            #expect(AgentInstaller.isPlainURL("https://hub.example.com:8443") && AgentInstaller.isPlainURL("http://[::1]:8080"))
            #expect(!AgentInstaller.isPlainURL("http://evil.example.com'; rm -rf /") && !AgentInstaller.isPlainURL("http://a/b"))

            let binary = try await client.send(.get, "/downloads/steward-agent-linux-x86_64", bearer: nil)
            #expect(binary.status == .ok && binary.body == bytes)
            let digest = try await client.send(.get, "/downloads/steward-agent-linux-x86_64.sha256", bearer: nil)
            #expect(digest.text == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() + "  steward-agent-linux-x86_64\n")
            for missing in [
                "steward-agent-linux-aarch64", "steward-agent-linux-mips", "steward.sqlite", "..%2Fsteward-agent-linux-x86_64",
                "steward-agent-linux-..%2F..%2Fetc%2Fpasswd",
            ] {
                #expect(try await client.send(.get, "/downloads/\(missing)", bearer: nil).status == .notFound, "\(missing)")
            }
        }
    }
}
