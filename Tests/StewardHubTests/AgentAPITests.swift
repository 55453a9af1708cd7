import Foundation
import HTTPTypes
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// The agent API: enrollment with registration tokens, and heartbeats with agent credentials.
struct AgentAPITests {
    @Test("enrollment returns credentials and the hub's Ed25519 public key")
    func enrollment() async throws {
        try await HubTestApp.run { client in
            let token = try await client.createToken()
            let credentials = try await client.enroll(token: token.token)
            #expect(credentials.agentSecret.hasPrefix("stw_agt_"))
            #expect(credentials.heartbeatIntervalSeconds == 15)
            #expect(Data(base64Encoded: credentials.hubPublicKey)?.count == 32)
            let list = try await client.send(.get, "/api/v1/registration-tokens").decode(Wire.ItemList<Wire.RegistrationToken.Info>.self)
            #expect(list.items.first?.uses == 1)
            #expect(list.items.first?.status == .usedUp)
        }
    }

    @Test("unknown, revoked, expired and used-up tokens each get their own 4xx")
    func refusals() async throws {
        let clock = ManualClock()
        try await HubTestApp.run(clock: clock.hubClock) { client in
            func register(_ token: String) async throws -> HubTestApp.Client.Answer {
                try await client.send(
                    .post, "/api/v1/agent/register",
                    body: Wire.Registration.Request(token: token, hostname: "h", facts: StoreTests.facts), bearer: nil)
            }
            let unknown = try await register("stw_reg_unknown")
            #expect(unknown.status == .unauthorized)
            #expect(unknown.problem?.code == "registration_token_unknown")

            let revoked = try await client.createToken()
            _ = try await client.send(.delete, "/api/v1/registration-tokens/\(revoked.info.id)")
            let revokedAnswer = try await register(revoked.token)
            #expect(revokedAnswer.status == .forbidden)
            #expect(revokedAnswer.problem?.code == "registration_token_revoked")

            let once = try await client.createToken()
            _ = try await client.enroll(token: once.token)
            let usedUp = try await register(once.token)
            #expect(usedUp.status == .forbidden)
            #expect(usedUp.problem?.code == "registration_token_used_up")

            let expiring = try await client.createToken(.init(expiresInSeconds: 1))
            clock.advance(by: 1.1)
            let expired = try await register(expiring.token)
            #expect(expired.status == .forbidden)
            #expect(expired.problem?.code == "registration_token_expired")

            let servers = try await client.send(.get, "/api/v1/servers").decode(Wire.ItemList<Wire.Server.Info>.self)
            #expect(servers.items.count == 1)
        }
    }

    @Test("malformed enrollment requests name what is wrong")
    func badEnrollment() async throws {
        try await HubTestApp.run { client in
            let missing = try await client.send(.post, "/api/v1/agent/register", json: #"{"token": "x"}"#, bearer: nil)
            #expect(missing.status == .unprocessableContent)
            #expect(missing.problem?.errors?.first?.field == "hostname")

            var facts = StoreTests.facts
            facts.cpuCount = -1
            facts.kernel = String(repeating: "k", count: 300)
            let bad = try await client.send(
                .post, "/api/v1/agent/register",
                body: Wire.Registration.Request(token: "", hostname: "two words", facts: facts), bearer: nil)
            #expect(bad.status == .unprocessableContent)
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["facts.cpu_count", "facts.kernel", "hostname", "token"])
        }
    }

    @Test("enrollment is rate limited per source address")
    func rateLimit() async throws {
        try await HubTestApp.run(registrationsPerMinute: 3) { client in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<4 {
                let answer = try await client.send(
                    .post, "/api/v1/agent/register",
                    body: Wire.Registration.Request(token: "stw_reg_guess", hostname: "h", facts: StoreTests.facts), bearer: nil)
                statuses.append(answer.status)
                if answer.status == .tooManyRequests {
                    #expect(answer.problem?.code == "rate_limited")
                    #expect(Int(answer.headers[.retryAfter] ?? "") ?? 0 >= 1)
                }
            }
            #expect(statuses == [.unauthorized, .unauthorized, .unauthorized, .tooManyRequests])
        }
    }

    @Test("heartbeats need valid agent credentials and store changed facts; a decommissioned agent is told it is revoked")
    func heartbeat() async throws {
        try await HubTestApp.run { client in
            let token = try await client.createToken()
            let credentials = try await client.enroll(token: token.token)
            let bearer = Wire.AgentCredential(agentID: credentials.agentID, secret: credentials.agentSecret).bearerValue

            var facts = StoreTests.facts
            facts.kernel = "6.9.0"
            let beat = try await client.send(.post, "/api/v1/agent/heartbeat", body: Wire.Heartbeat.Request(facts: facts), bearer: bearer)
            #expect(beat.status == .ok, "\(beat.text)")
            #expect(try beat.decode(Wire.Heartbeat.Response.self).heartbeatIntervalSeconds == 15)
            let server = try await client.send(.get, "/api/v1/servers/\(credentials.serverID)").decode(Wire.Server.Info.self)
            #expect(server.facts.kernel == "6.9.0")

            let plain = try await client.send(.post, "/api/v1/agent/heartbeat", json: "{}", bearer: bearer)
            #expect(plain.status == .ok)

            let noCredentials = try await client.send(.post, "/api/v1/agent/heartbeat", json: "{}", bearer: nil)
            #expect(noCredentials.status == .unauthorized)
            let wrongSecret = try await client.send(
                .post, "/api/v1/agent/heartbeat", json: "{}", bearer: "\(credentials.agentID):stw_agt_wrong")
            #expect(wrongSecret.problem?.code == "agent_credentials_invalid")
            let unknownAgent = try await client.send(.post, "/api/v1/agent/heartbeat", json: "{}", bearer: "nobody:secret")
            #expect(unknownAgent.problem?.code == "agent_credentials_invalid")
            let noColon = try await client.send(.post, "/api/v1/agent/heartbeat", json: "{}", bearer: "justonetoken")
            #expect(noColon.problem?.code == "malformed_authorization")
            // The operator's token is not an agent credential.
            let operatorToken = try await client.send(.post, "/api/v1/agent/heartbeat", json: "{}")
            #expect(operatorToken.status == .unauthorized)

            _ = try await client.send(.delete, "/api/v1/servers/\(credentials.serverID)", json: #"{"confirm": "web-1"}"#)
            let revoked = try await client.send(.post, "/api/v1/agent/heartbeat", json: "{}", bearer: bearer)
            #expect(revoked.status == .forbidden)
            #expect(revoked.problem?.code == "agent_revoked")
        }
    }
}
