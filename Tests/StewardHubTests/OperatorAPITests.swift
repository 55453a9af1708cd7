import Foundation
import HTTPTypes
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// The operator API: authentication, registration tokens, the fleet inventory and the audit log.
struct OperatorAPITests {
    @Test("health answers without credentials, with the version and the database kind")
    func health() async throws {
        try await HubTestApp.run { client in
            let answer = try await client.send(.get, "/api/v1/health", bearer: nil)
            #expect(answer.status == .ok)
            #expect(try answer.decode(Wire.Health.self) == .init(status: "ok", version: StewardVersion.current, database: "sqlite"))
        }
    }

    @Test("operator routes refuse missing, malformed and wrong tokens with problem+json")
    func authentication() async throws {
        try await HubTestApp.run { client in
            for path in ["/api/v1/servers", "/api/v1/registration-tokens", "/api/v1/audit"] {
                let missing = try await client.send(.get, path, bearer: nil)
                #expect(missing.status == .unauthorized)
                #expect(missing.headers[.contentType] == "application/problem+json")
                #expect(missing.problem?.code == "unauthenticated")

                let wrong = try await client.send(.get, path, bearer: "stw_api_not-a-real-token")
                #expect(wrong.status == .unauthorized)
                #expect(wrong.problem?.code == "invalid_token")

                let malformed = try await client.send(.get, path, bearer: nil, headers: [.authorization: "Basic b3duZXI6cHc="])
                #expect(malformed.status == .unauthorized)
                #expect(malformed.problem?.code == "malformed_authorization")
            }
            // A near miss of the owner token is still wrong.
            let nearMiss = try await client.send(.get, "/api/v1/servers", bearer: HubTestApp.ownerToken + "x")
            #expect(nearMiss.status == .unauthorized)
        }
    }

    @Test("a registration token is shown once at creation and never listed with its value")
    func createAndListTokens() async throws {
        try await HubTestApp.run { client in
            let created = try await client.createToken(
                .init(description: "rack 4", expiresInSeconds: 3600, maxUses: 5, labels: ["env": "prod", "dc": "fra1"]))
            #expect(created.token.hasPrefix("stw_reg_"))
            #expect(created.info.maxUses == 5)
            #expect(created.info.uses == 0)
            #expect(created.info.status == .active)
            #expect(created.info.labels == ["env": "prod", "dc": "fra1"])
            #expect(created.info.createdBy == "owner@example.com")
            let expiresIn = try #require(created.info.expiresAt).timeIntervalSinceNow
            #expect(expiresIn > 3590 && expiresIn <= 3600)

            let defaults = try await client.createToken()
            #expect(defaults.info.maxUses == 1)
            #expect(defaults.info.expiresAt == nil)

            let list = try await client.send(.get, "/api/v1/registration-tokens")
            #expect(list.status == .ok)
            #expect(try list.decode(Wire.ItemList<Wire.RegistrationToken.Info>.self).items.count == 2)
            #expect(!list.text.contains(created.token))
            #expect(!list.text.contains(SecretToken.Digest(of: created.token).hash))
        }
    }

    @Test("bad token requests get every field error at once and change nothing")
    func badTokenRequests() async throws {
        try await HubTestApp.run { client in
            let invalid = try await client.send(
                .post, "/api/v1/registration-tokens",
                json: #"{"max_uses": -1, "expires_in_seconds": 0, "labels": {"Bad Key": "x", "ok": "line\nbreak"}}"#)
            #expect(invalid.status == .unprocessableContent)
            let fields = Set(invalid.problem?.errors?.map(\.field) ?? [])
            #expect(fields == ["max_uses", "expires_in_seconds", "labels.Bad Key", "labels.ok"])

            let both = try await client.send(
                .post, "/api/v1/registration-tokens", json: #"{"expires_in_seconds": 60, "expires_at": "2099-01-01T00:00:00Z"}"#)
            #expect(both.problem?.errors?.map(\.field) == ["expires_at"])

            let past = try await client.send(.post, "/api/v1/registration-tokens", json: #"{"expires_at": "2001-01-01T00:00:00Z"}"#)
            #expect(past.status == .unprocessableContent)

            let malformed = try await client.send(.post, "/api/v1/registration-tokens", json: #"{"max_uses": 1"#)
            #expect(malformed.status == .badRequest)
            #expect(malformed.problem?.code == "invalid_json")

            let wrongType = try await client.send(.post, "/api/v1/registration-tokens", json: #"{"max_uses": "three"}"#)
            #expect(wrongType.status == .unprocessableContent)
            #expect(wrongType.problem?.errors?.first?.field == "max_uses")

            let badDate = try await client.send(.post, "/api/v1/registration-tokens", json: #"{"expires_at": "tomorrow"}"#)
            #expect(badDate.status == .unprocessableContent, "\(badDate.text)")
            #expect(badDate.problem?.errors?.first?.field == "expires_at")

            let empty = try await client.send(.post, "/api/v1/registration-tokens", json: "")
            #expect(empty.status == .badRequest)

            let huge = String(repeating: "x", count: 2 << 20)
            let oversized = try await client.send(.post, "/api/v1/registration-tokens", json: #"{"description": "\#(huge)"}"#)
            #expect(oversized.status == .contentTooLarge)
            #expect(oversized.problem?.code == "body_too_large")

            let list = try await client.send(.get, "/api/v1/registration-tokens")
            #expect(try list.decode(Wire.ItemList<Wire.RegistrationToken.Info>.self).items.isEmpty)
            let audit = try await client.send(.get, "/api/v1/audit")
            #expect(try audit.decode(Wire.Audit.Page.self).items.isEmpty)
        }
    }

    @Test("revoking a token is audited; unknown ids get 404")
    func revokeToken() async throws {
        try await HubTestApp.run { client in
            let created = try await client.createToken()
            let revoked = try await client.send(.delete, "/api/v1/registration-tokens/\(created.info.id)")
            #expect(revoked.status == .noContent)
            let list = try await client.send(.get, "/api/v1/registration-tokens")
            #expect(try list.decode(Wire.ItemList<Wire.RegistrationToken.Info>.self).items.first?.status == .revoked)
            let missing = try await client.send(.delete, "/api/v1/registration-tokens/no-such-token")
            #expect(missing.status == .notFound)
            #expect(missing.problem?.code == "not_found")

            let audit = try await client.send(.get, "/api/v1/audit").decode(Wire.Audit.Page.self)
            #expect(audit.items.map(\.action) == ["registration_token.revoke", "registration_token.create"])
            #expect(audit.items.allSatisfy { $0.actor == "owner@example.com" && $0.target == "registration_token:\(created.info.id)" })
        }
    }

    @Test("servers are listed, shown, renamed, labelled and decommissioned")
    func servers() async throws {
        try await HubTestApp.run { client in
            let token = try await client.createToken(.init(maxUses: 0, labels: ["env": "staging"]))
            let credentials = try await client.enroll(token: token.token, hostname: "db-1")

            let list = try await client.send(.get, "/api/v1/servers").decode(Wire.ItemList<Wire.Server.Info>.self)
            let server = try #require(list.items.first)
            #expect(list.items.count == 1)
            #expect(server.id == credentials.serverID)
            #expect(server.name == "db-1")
            #expect(server.status == .online)
            #expect(server.labels == ["env": "staging"])
            #expect(server.facts == StoreTests.facts)

            let shown = try await client.send(.get, "/api/v1/servers/\(server.id)")
            #expect(try shown.decode(Wire.Server.Info.self) == server)
            #expect(try await client.send(.get, "/api/v1/servers/nope").status == .notFound)

            let patched = try await client.send(
                .patch, "/api/v1/servers/\(server.id)", json: #"{"name": "db-primary", "labels": {"role": "db", "env": null}}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            let updated = try patched.decode(Wire.Server.Info.self)
            #expect(updated.name == "db-primary")
            #expect(updated.labels == ["role": "db"])

            let badLabel = try await client.send(.patch, "/api/v1/servers/\(server.id)", json: #"{"labels": {"-x": "y"}}"#)
            #expect(badLabel.status == .unprocessableContent)
            #expect(badLabel.problem?.errors?.first?.field == "labels.-x")
            let emptyPatch = try await client.send(.patch, "/api/v1/servers/\(server.id)", json: "{}")
            #expect(emptyPatch.status == .unprocessableContent)
            let blankName = try await client.send(.patch, "/api/v1/servers/\(server.id)", json: #"{"name": "  "}"#)
            #expect(blankName.problem?.errors?.first?.field == "name")
            #expect(try await client.send(.patch, "/api/v1/servers/nope", json: #"{"name": "x"}"#).status == .notFound)

            // Decommissioning asks for the server's name, typed again.
            let unconfirmed = try await client.send(.delete, "/api/v1/servers/\(server.id)")
            #expect(unconfirmed.status == .unprocessableContent && unconfirmed.problem?.code == "confirmation_required")
            let mistyped = try await client.send(.delete, "/api/v1/servers/\(server.id)", json: #"{"confirm": "db-1"}"#)
            #expect(mistyped.problem?.code == "confirmation_required", "the old name does not confirm")
            let confirm = #"{"confirm": "db-primary"}"#
            #expect(try await client.send(.delete, "/api/v1/servers/\(server.id)", json: confirm).status == .noContent)
            #expect(try await client.send(.delete, "/api/v1/servers/\(server.id)", json: confirm).status == .notFound)
            let after = try await client.send(.get, "/api/v1/servers").decode(Wire.ItemList<Wire.Server.Info>.self)
            #expect(after.items.isEmpty)

            let actions = try await client.send(.get, "/api/v1/audit").decode(Wire.Audit.Page.self).items.map(\.action)
            #expect(actions == ["server.decommission", "server.update", "server.enroll", "registration_token.create"])
        }
    }

    @Test("the audit log pages with limit and before, and rejects bad paging values")
    func auditPaging() async throws {
        try await HubTestApp.run { client in
            for _ in 0..<5 { _ = try await client.createToken() }
            let first = try await client.send(.get, "/api/v1/audit?limit=2").decode(Wire.Audit.Page.self)
            #expect(first.items.count == 2)
            let cursor = try #require(first.nextBefore)
            let second = try await client.send(.get, "/api/v1/audit?limit=10&before=\(cursor)").decode(Wire.Audit.Page.self)
            #expect(second.items.count == 3)
            #expect(second.nextBefore == nil)
            #expect(Set(first.items.map(\.id)).isDisjoint(with: second.items.map(\.id)))
            #expect((first.items + second.items).map(\.id) == (first.items + second.items).map(\.id).sorted(by: >))

            for query in ["limit=0", "limit=501", "limit=abc", "before=-3", "before=x"] {
                let bad = try await client.send(.get, "/api/v1/audit?\(query)")
                #expect(bad.status == .badRequest, "\(query)")
                #expect(bad.problem?.code == "invalid_query")
            }
        }
    }

    @Test("unknown routes and methods answer with problem+json")
    func unknownRoutes() async throws {
        try await HubTestApp.run { client in
            let missing = try await client.send(.get, "/api/v1/nothing-here")
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "application/problem+json")
            let wrongMethod = try await client.send(.put, "/api/v1/health", bearer: nil)
            #expect(wrongMethod.status.code >= 400 && wrongMethod.status.code < 500)
        }
    }
}
