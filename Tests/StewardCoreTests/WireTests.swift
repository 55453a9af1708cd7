import Foundation
import StewardCore
import Testing

struct WireTests {
    @Test("wire keys are snake_case and dates ISO 8601")
    func encoding() throws {
        let response = Wire.Registration.Response(
            agentID: "a", agentSecret: "s", serverID: "v", heartbeatIntervalSeconds: 15, hubPublicKey: "k")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Wire.makeEncoder().encode(response)) as? [String: Any])
        #expect(Set(json.keys) == ["agent_id", "agent_secret", "server_id", "heartbeat_interval_seconds", "hub_public_key"])

        let request = try Wire.makeDecoder().decode(
            Wire.RegistrationToken.CreateRequest.self,
            from: Data(#"{"expires_at": "2030-01-02T03:04:05.678Z", "max_uses": 0}"#.utf8))
        #expect(request.maxUses == 0)
        #expect(request.expiresAt == Date(timeIntervalSince1970: 1_893_553_445.678))
    }

    @Test("a bad date names its field")
    func badDate() {
        #expect {
            try Wire.makeDecoder().decode(
                Wire.RegistrationToken.CreateRequest.self, from: Data(#"{"expires_at": "soon"}"#.utf8))
        } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return context.codingPath.map(\.stringValue) == ["expires_at"]
        }
    }

    @Test(
        "agent credentials round-trip through the bearer value; malformed ones are rejected",
        arguments: [
            ("", false), ("id", false), (":secret", false), ("id:", false), ("id:sec:ret", true),
        ])
    func agentCredential(value: String, valid: Bool) {
        let parsed = Wire.AgentCredential(bearerValue: value)
        #expect((parsed != nil) == valid)
        if let parsed { #expect(parsed.bearerValue == value) }
    }
}
