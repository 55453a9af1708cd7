import Crypto
import Foundation
import StewardCore

/// The `X-Steward-Signature` header of a webhook: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
/// "<t>.<body>" keyed with the channel's secret>`. A receiver recomputes it, compares in constant
/// time, and refuses old `t` values to stop replays.
public enum WebhookSignature {
    public static func header(body: Data, secret: String, at time: Date) -> String {
        let seconds = Int(time.timeIntervalSince1970)
        return "t=\(seconds),v1=\(hex(body: body, secret: secret, seconds: seconds))"
    }

    /// Whether `header` signs `body` with `secret`, at most `tolerance` seconds from `now`.
    public static func verify(header: String, body: Data, secret: String, now: Date, tolerance: TimeInterval = 300) -> Bool {
        var fields: [Substring: Substring] = [:]
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { fields[pair[0]] = pair[1] }
        }
        guard let t = fields["t"].flatMap({ Int($0) }), let given = fields["v1"],
            abs(now.timeIntervalSince1970 - Double(t)) <= tolerance
        else { return false }
        let expected = hex(body: body, secret: secret, seconds: t)
        // Constant time: the same work whatever the first difference.
        guard given.utf8.count == expected.utf8.count else { return false }
        return zip(given.utf8, expected.utf8).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func hex(body: Data, secret: String, seconds: Int) -> String {
        var signed = Data("\(seconds).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return Hex.encode(mac)
    }
}
