import Crypto
import Foundation

/// Signing and verifying jobs. The hub signs every job it hands out; the agent verifies with the key
/// it pinned at enrollment before it touches anything.
///
/// The signature covers a canonical encoding — a version tag, then each field as a 4-byte big-endian
/// length and its bytes: job id, attempt, target agent id, not-after time, payload. Length prefixes
/// make it unambiguous (no field can borrow bytes from its neighbour), and the payload is signed as
/// the exact bytes sent, so no JSON re-encoding can change what was signed.
public enum JobSignature {
    static let versionTag = Data("steward-job-v1".utf8)

    public static func signedBytes(jobID: String, attempt: Int, agentID: String, notAfter: Int64, payload: Data) -> Data {
        var bytes = versionTag
        for field in [Data(jobID.utf8), Data(String(attempt).utf8), Data(agentID.utf8), Data(String(notAfter).utf8), payload] {
            withUnsafeBytes(of: UInt32(field.count).bigEndian) { bytes.append(contentsOf: $0) }
            bytes.append(field)
        }
        return bytes
    }

    /// Signs `payload` for one attempt of one job on one agent, valid until `notAfter`.
    public static func sign(
        payload: Data, jobID: String, attempt: Int, agentID: String, notAfter: Date, key: Curve25519.Signing.PrivateKey
    ) throws -> Wire.JobEnvelope {
        let deadline = Int64(notAfter.timeIntervalSince1970.rounded(.down))
        let signature = try key.signature(
            for: signedBytes(jobID: jobID, attempt: attempt, agentID: agentID, notAfter: deadline, payload: payload))
        return Wire.JobEnvelope(
            jobID: jobID, attempt: attempt, agentID: agentID, notAfter: deadline, payload: payload.base64EncodedString(),
            signature: signature.base64EncodedString())
    }

    /// Why an agent refused a job.
    public enum Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(String)
        case badSignature
        case wrongAgent(addressedTo: String)
        case expired(notAfter: Int64)
        case replayed

        public var description: String {
            switch self {
            case .malformed(let what): "malformed job envelope: \(what)"
            case .badSignature: "the signature does not verify with the hub's key"
            case .wrongAgent(let agent): "the job is addressed to agent \(agent)"
            case .expired(let notAfter): "the job expired at \(Date(timeIntervalSince1970: TimeInterval(notAfter)).formatted(.iso8601))"
            case .replayed: "this job attempt was already received"
            }
        }
    }

    /// How far an agent's clock may be ahead of the hub's and still take its jobs. An envelope lives
    /// five minutes by the hub's clock; an agent whose clock runs up to this much ahead still sees it
    /// as valid (a replay within the extra time is caught by the agent's replay guard).
    public static let allowedClockSkew: TimeInterval = 600

    /// The payload of `envelope` if it is signed by `publicKey`, addressed to `agentID` and not expired at
    /// `now` (give or take ``allowedClockSkew``). Replays are the caller's to check (see the agent's
    /// replay guard), since that needs memory.
    public static func verify(
        _ envelope: Wire.JobEnvelope, agentID: String, publicKey: Curve25519.Signing.PublicKey, now: Date
    ) -> Result<Data, Rejection> {
        guard let payload = Data(base64Encoded: envelope.payload) else { return .failure(.malformed("payload is not base64")) }
        guard let signature = Data(base64Encoded: envelope.signature), signature.count == 64 else {
            return .failure(.badSignature)
        }
        let signed = signedBytes(
            jobID: envelope.jobID, attempt: envelope.attempt, agentID: envelope.agentID, notAfter: envelope.notAfter, payload: payload)
        // The signature is checked first, so nothing about an unsigned envelope is believed, not even its address.
        guard publicKey.isValidSignature(signature, for: signed) else { return .failure(.badSignature) }
        guard envelope.agentID == agentID else { return .failure(.wrongAgent(addressedTo: envelope.agentID)) }
        guard Double(envelope.notAfter) + allowedClockSkew > now.timeIntervalSince1970 else {
            return .failure(.expired(notAfter: envelope.notAfter))
        }
        return .success(payload)
    }
}
