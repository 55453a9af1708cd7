import AsyncHTTPClient
import Foundation
import Logging
import StewardCore
import Testing

@testable import StewardAgent

/// What the agent makes of Docker's answers: events, times, and environments masked before they
/// leave the server.
struct DockerTests {
    @Test("Docker's events: a death with its exit code, an OOM kill, a health change; other actions are not events")
    func events() throws {
        let die =
            #"{"Type":"container","Action":"die","Actor":{"ID":"0123456789ab","Attributes":{"exitCode":"3","name":"exits","image":"busybox"}},"time":1800000000,"timeNano":1800000000500000000}"#
        let event = try #require(DockerClient.event(from: Data(die.utf8)))
        #expect(event.action == "die" && event.exitCode == 3 && event.name == "exits" && event.containerID == "0123456789ab")
        #expect(event.at == Date(timeIntervalSince1970: 1_800_000_000.5))
        let health = #"{"Action":"health_status: unhealthy","Actor":{"ID":"0123456789ab","Attributes":{"name":"sick"}},"time":1800000000}"#
        #expect(DockerClient.event(from: Data(health.utf8))?.health == "unhealthy")
        let oom = #"{"Action":"oom","Actor":{"ID":"0123456789ab","Attributes":{"name":"hog"}},"time":1800000000}"#
        #expect(DockerClient.event(from: Data(oom.utf8))?.action == "oom")
        #expect(DockerClient.event(from: Data(#"{"Action":"start","Actor":{"ID":"0123456789ab"}}"#.utf8)) == nil)
        #expect(DockerClient.event(from: Data("not json".utf8)) == nil)
    }

    @Test("Docker's times with nanoseconds are read; its year-one 'never' is nil")
    func dates() {
        #expect(DockerClient.date("2027-01-15T08:00:00.123456789Z") == Date(timeIntervalSince1970: 1_800_000_000 + 0))
        #expect(DockerClient.date("0001-01-01T00:00:00Z") == nil)
        #expect(DockerClient.date(nil) == nil)
    }

    @Test("secret-looking environment values are masked on the agent, with the configured extra words")
    func masking() {
        let watcher = ContainerWatcher(
            docker: DockerClient(http: HTTPClient.shared), client: HubClient(httpClient: HTTPClient.shared, baseURL: "http://127.0.0.1:9"),
            credential: .init(agentID: "a", secret: "s"), interval: 15, secretWords: SecretMasker.secretLookingWords + ["DSN"],
            logger: Logger(label: "test"))
        let masked = watcher.masked([
            "POSTGRES_PASSWORD=hunter2", "api_token=abc", "SENTRY_DSN=https://key@sentry", "MODE=production", "EMPTY=", "NOEQUALS",
        ])
        #expect(masked == ["POSTGRES_PASSWORD=****", "api_token=****", "SENTRY_DSN=****", "MODE=production", "EMPTY=", "NOEQUALS"])
    }

    @Test("a container's log tail: the newest lines, masked before they are cut, within the report's share of bytes")
    func logTail() {
        let masker = SecretMasker(secrets: ["hunter2"])
        let text = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\npassword hunter2\n\n"
        #expect(ContainerWatcher.newestLines(of: text, count: 3, bytes: 1 << 20, masker: masker) == ["line 9", "line 10", "password ****"])
        // 6 + 7 + 13 bytes do not fit in 20: the oldest goes.
        #expect(ContainerWatcher.newestLines(of: text, count: 3, bytes: 20, masker: masker) == ["line 10", "password ****"])
        let long = String(repeating: "é", count: 3000) + "hunter2"
        let cut = ContainerWatcher.newestLines(of: long, count: 1, bytes: 1 << 20, masker: masker)
        #expect(cut.count == 1 && cut[0].utf8.count <= 4000 && !cut[0].contains("hunter"))
        #expect(ContainerWatcher.newestLines(of: "", count: 5, bytes: 100, masker: masker).isEmpty)
    }
}
