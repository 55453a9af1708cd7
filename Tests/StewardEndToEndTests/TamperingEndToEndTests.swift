import Foundation
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// A man in the middle between a real agent and a real hub tries to make the agent run what the hub
/// did not sign for it. Each probe job would create its marker file if it ran.
@Suite(.serialized)
struct TamperingEndToEndTests {
    @Test("altered, misaddressed, expired, unsigned and replayed jobs are refused, reported to the hub, and never run")
    func tampering() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let hub = try StewardProcess(
            [
                "hub", "--data-dir", directory.path + "/hub", "--listen", "127.0.0.1:0", "--heartbeat-interval", "1",
                "--no-builtin-catalog", "--catalog", Fixtures.jobsCatalog,
            ],
            environment: ["STEWARD_BOOTSTRAP_TOKEN": FleetEndToEndTests.ownerToken], logPath: directory.path + "/hub.log")
        let api = try await HubAPI.connect(to: hub)
        let proxy = try await TamperingProxy(hubURL: api.baseURL)
        defer { proxy.stop() }
        let agent = try StewardProcess(
            ["agent", "--hub", proxy.url, "--token", try await api.createToken(maxUses: 1), "--state-dir", directory.path + "/agent"],
            logPath: directory.path + "/agent.log")
        try await eventually("the agent is online") { try await api.servers().first?.status == .online }
        let serverID = try #require(try await api.servers().first?.id)
        // The test can sign like the hub: it reads the hub's key, which is what "valid signature" needs.
        let keys = try HubKeys.loadOrCreate(in: directory.path + "/hub", environment: [:])
        let decoy = directory.path + "/decoy"

        let attacks: [(name: String, reason: String, tamper: TamperingProxy.Tamper)] = [
            (
                "altered payload", "signature does not verify",
                { envelope in
                    var altered = envelope
                    let text = String(decoding: Data(base64Encoded: envelope.payload)!, as: UTF8.self)
                    altered.payload = Data(text.replacingOccurrences(of: "marker-altered-payload", with: "decoy").utf8)
                        .base64EncodedString()
                    return altered
                }
            ),
            (
                "another agent", "addressed to agent some-other-agent",
                { envelope in
                    try! JobSignature.sign(
                        payload: Data(base64Encoded: envelope.payload)!, jobID: envelope.jobID, attempt: envelope.attempt,
                        agentID: "some-other-agent", notAfter: Date().addingTimeInterval(300), key: keys.signingKey)
                }
            ),
            (
                "expired", "expired at",
                { envelope in
                    try! JobSignature.sign(
                        payload: Data(base64Encoded: envelope.payload)!, jobID: envelope.jobID, attempt: envelope.attempt,
                        agentID: envelope.agentID, notAfter: Date().addingTimeInterval(-JobSignature.allowedClockSkew - 60),
                        key: keys.signingKey)
                }
            ),
            // Signed correctly, with the hub's own key: only the agent's check of the environment
            // stands between these and code that no script digest pins.
            Self.smuggling("BASH_ENV", value: decoy + "-bash-env.sh", keys: keys),
            Self.smuggling("LD_PRELOAD", value: decoy + ".so", keys: keys),
            Self.smuggling("BASH_FUNC_echo%%", value: "() { touch \(decoy); }", keys: keys),
            Self.smuggling("SHELLOPTS", value: "xtrace", keys: keys),
            Self.smuggling("PATH", value: decoy, keys: keys),
            (
                "unsigned", "signature does not verify",
                { envelope in
                    var unsigned = envelope
                    unsigned.signature = ""
                    return unsigned
                }
            ),
        ]
        for attack in attacks {
            await proxy.tamper(with: attack.tamper)
            let marker = directory.path + "/marker-" + attack.name.replacingOccurrences(of: " ", with: "-")
            let job = try await api.install("probe", server: serverID, inputs: ["marker": .text(marker)])
            let done = try await api.waitForJob(job.id) { $0.status.isFinal }
            #expect(done.status == .failed, "\(attack.name)")
            #expect(done.exitCode == nil)
            #expect(done.error?.contains("the agent refused the job") == true, "\(attack.name): \(done.error ?? "-")")
            #expect(done.error?.contains(attack.reason) == true, "\(attack.name): \(done.error ?? "-")")
            #expect(!FileManager.default.fileExists(atPath: marker), "\(attack.name) ran")
            #expect(!FileManager.default.fileExists(atPath: decoy), "\(attack.name) ran the altered script")
        }

        // A genuine job runs once; the same envelope handed out again is refused as a replay.
        await proxy.tamper(with: nil)
        await proxy.replayNextEnvelope()
        let marker = directory.path + "/marker-genuine"
        let job = try await api.install("probe", server: serverID, inputs: ["marker": .text(marker)])
        #expect(try await api.waitForJob(job.id) { $0.status.isFinal }.status == .succeeded)
        try await eventually("the agent refuses the replay") { agent.output.contains("this job attempt was already received") }
        #expect(try String(contentsOfFile: marker, encoding: .utf8) == "run\n")
        let after = try await api.job(job.id)
        #expect(after.status == .succeeded && after.attempt == 1)
        await agent.stop()
        await hub.stop()
    }

    /// An attack that re-signs the job with one more environment variable, `name`.
    static func smuggling(
        _ name: String, value: String, keys: HubKeys
    ) -> (name: String, reason: String, tamper: TamperingProxy.Tamper) {
        let label = "smuggled " + name.filter { $0.isLetter || $0 == "_" }.lowercased()
        return (
            label, "environment variable \(name)",
            { envelope in
                var payload = try! Wire.makeDecoder().decode(Wire.Job.Payload.self, from: Data(base64Encoded: envelope.payload)!)
                payload.environment[name] = value
                return try! JobSignature.sign(
                    payload: try! Wire.makeEncoder().encode(payload), jobID: envelope.jobID, attempt: envelope.attempt,
                    agentID: envelope.agentID, notAfter: Date().addingTimeInterval(300), key: keys.signingKey)
            }
        )
    }
}
