import Crypto
import Foundation
import StewardAgent
import StewardCore
import Testing

struct ReplayGuardTests {
    static func envelope(job: String, attempt: Int = 1, notAfter: Int64) -> Wire.JobEnvelope {
        .init(jobID: job, attempt: attempt, agentID: "a", notAfter: notAfter, payload: "", signature: "")
    }

    @Test("an attempt is admitted once, even across a restart; a new attempt of the same job is admitted")
    func replays() async throws {
        let directory = NSTemporaryDirectory() + "steward-replay-" + UUID().uuidString
        try AtomicFile.makeDirectory(directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/seen-jobs.json"
        let now = Date(timeIntervalSince1970: 1_800_000_000)

        let guardian = try ReplayGuard(path: path)
        #expect(try await guardian.admit(Self.envelope(job: "j1", notAfter: 1_800_000_600), now: now))
        #expect(try await !guardian.admit(Self.envelope(job: "j1", notAfter: 1_800_000_600), now: now))
        #expect(try await guardian.admit(Self.envelope(job: "j1", attempt: 2, notAfter: 1_800_000_600), now: now))

        let restarted = try ReplayGuard(path: path)
        #expect(try await !restarted.admit(Self.envelope(job: "j1", notAfter: 1_800_000_600), now: now))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("entries are forgotten once their job has expired, since expiry refuses those envelopes anyway")
    func pruning() async throws {
        let directory = NSTemporaryDirectory() + "steward-replay-" + UUID().uuidString
        try AtomicFile.makeDirectory(directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let guardian = try ReplayGuard(path: directory + "/seen-jobs.json")
        for index in 0..<50 {
            _ = try await guardian.admit(Self.envelope(job: "old-\(index)", notAfter: 1_000), now: Date(timeIntervalSince1970: 900))
        }
        #expect(await guardian.count == 50)
        _ = try await guardian.admit(Self.envelope(job: "new", notAfter: 5_000), now: Date(timeIntervalSince1970: 2_000))
        #expect(await guardian.count == 1)
    }
}
