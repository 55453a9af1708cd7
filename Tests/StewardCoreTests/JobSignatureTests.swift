import Crypto
import Foundation
import StewardCore
import Testing

struct JobSignatureTests {
    static let key = Curve25519.Signing.PrivateKey()
    static let payload = Data(#"{"kind":"script","script":"IyEvYmluL3NoCnRvdWNoIC90bXAvcHduZWQK"}"#.utf8)
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func envelope(
        agent: String = "agent-1", notAfter: Date = now.addingTimeInterval(600), key: Curve25519.Signing.PrivateKey = key
    )
        throws -> Wire.JobEnvelope
    {
        try JobSignature.sign(payload: payload, jobID: "job-1", attempt: 1, agentID: agent, notAfter: notAfter, key: key)
    }

    static func verify(_ envelope: Wire.JobEnvelope) -> Result<Data, JobSignature.Rejection> {
        JobSignature.verify(envelope, agentID: "agent-1", publicKey: key.publicKey, now: now)
    }

    @Test("a signed job verifies and yields the exact payload bytes")
    func roundTrip() throws {
        #expect(try Self.verify(Self.envelope()).get() == Self.payload)
    }

    @Test("any change to the payload, job id, attempt, agent or deadline breaks the signature")
    func tampering() throws {
        let good = try Self.envelope()
        var payload = good
        payload.payload = Data(#"{"kind":"script","script":"ZXZpbAo="}"#.utf8).base64EncodedString()
        var attempt = good
        attempt.attempt = 2
        var jobID = good
        jobID.jobID = "job-2"
        var deadline = good
        deadline.notAfter += 3600
        var agent = good
        agent.agentID = "agent-2"
        for tampered in [payload, attempt, jobID, deadline] {
            #expect(Self.verify(tampered) == .failure(.badSignature))
        }
        // Re-addressing to another agent also breaks the signature, which is checked before the address.
        #expect(JobSignature.verify(agent, agentID: "agent-2", publicKey: Self.key.publicKey, now: Self.now) == .failure(.badSignature))
    }

    @Test("unsigned, garbled and foreign-key envelopes are refused")
    func unsigned() throws {
        var unsigned = try Self.envelope()
        unsigned.signature = ""
        #expect(Self.verify(unsigned) == .failure(.badSignature))
        var garbled = try Self.envelope()
        garbled.signature = "not base64!"
        #expect(Self.verify(garbled) == .failure(.badSignature))
        var notBase64 = try Self.envelope()
        notBase64.payload = "%%%"
        #expect(Self.verify(notBase64) == .failure(.malformed("payload is not base64")))
        let foreign = try Self.envelope(key: Curve25519.Signing.PrivateKey())
        #expect(Self.verify(foreign) == .failure(.badSignature))
    }

    @Test("a job for another agent and an expired job are refused with their reasons")
    func addressAndExpiry() throws {
        #expect(Self.verify(try Self.envelope(agent: "agent-2")) == .failure(.wrongAgent(addressedTo: "agent-2")))
        let expired = try Self.envelope(notAfter: Self.now.addingTimeInterval(-JobSignature.allowedClockSkew - 1))
        guard case .failure(.expired) = Self.verify(expired) else {
            Issue.record("an expired job was accepted")
            return
        }
    }

    @Test("an agent whose clock runs a few minutes ahead of the hub's still takes its jobs, within the documented skew")
    func clockSkew() throws {
        // The hub signed it valid for 5 minutes from its own now; the agent's clock is 9 minutes ahead.
        let envelope = try Self.envelope(notAfter: Self.now.addingTimeInterval(-4 * 60))
        guard case .success = Self.verify(envelope) else {
            Issue.record("a job within the allowed clock skew was refused")
            return
        }
    }

    @Test("the signed bytes are unambiguous: moving a boundary between fields changes them")
    func canonicalEncoding() {
        let a = JobSignature.signedBytes(jobID: "ab", attempt: 1, agentID: "c", notAfter: 5, payload: Data())
        let b = JobSignature.signedBytes(jobID: "a", attempt: 1, agentID: "bc", notAfter: 5, payload: Data())
        #expect(a != b)
    }
}
