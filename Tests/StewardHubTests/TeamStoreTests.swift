import Foundation
import StewardCore
import StewardHub
import StewardTestSupport
import Testing

/// Storage of tenants, memberships, invitations and personal API tokens, on SQLite and PostgreSQL.
struct TeamStoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func user(_ email: String, tenant: String = Store.defaultTenant, role: Role = .viewer) -> UserRecord {
        UserRecord(
            id: UUID().uuidString.lowercased(), tenantID: tenant, email: email, name: email, passwordHash: "$2b$12$not-a-real-hash",
            role: role, createdAt: t0)
    }

    static func invitation(
        _ email: String, tenant: String = Store.defaultTenant, role: Role = .viewer, token: String? = nil
    )
        -> InvitationRecord
    {
        InvitationRecord(
            id: UUID().uuidString.lowercased(), tenantID: tenant, email: email, role: role,
            digest: SecretToken.Digest(of: token ?? SecretToken.generate(.invitation)), createdBy: "owner@example.com",
            createdAt: t0, expiresAt: t0.addingTimeInterval(7 * 86_400))
    }

    /// A member made the way an accepted invitation makes one.
    static func member(_ email: String, role: Role, tenant: String = Store.defaultTenant, store: Store) async throws -> UserRecord {
        let user = Self.user(email, tenant: tenant, role: role)
        let invitation = Self.invitation(email, tenant: tenant, role: role)
        #expect(try await store.createInvitation(invitation, audit: StoreTests.audit("invitation.create", tenant: tenant)) == nil)
        let membership = try await store.acceptInvitation(
            invitation, newUser: user, userID: user.id, audit: StoreTests.audit("invitation.accept", tenant: tenant), at: t0)
        #expect(membership?.role == role)
        return user
    }

    @Test(
        "tenants: slugs are unique, lists are per member, deletion revokes what the tenant's servers and people hold",
        arguments: TestDatabase.available)
    func tenants(database: TestDatabase) async throws {
        try await database.withStore { store in
            let acme = TenantRecord(id: "t-acme", name: "Acme", slug: "acme", maxUsers: 3, createdAt: Self.t0)
            #expect(try await store.createTenant(acme, audit: StoreTests.audit("tenant.create")))
            #expect(
                !(try await store.createTenant(
                    TenantRecord(id: "t-other", name: "Other", slug: "acme", createdAt: Self.t0), audit: StoreTests.audit("tenant.create")))
            )
            #expect(try await store.tenant("acme")?.id == "t-acme")
            #expect(try await store.tenant("t-acme")?.maxUsers == 3)
            #expect(try await store.allTenants().map(\.slug) == ["default", "acme"])

            let ann = try await Self.member("ann@example.com", role: .owner, tenant: "t-acme", store: store)
            #expect(try await store.tenants(of: ann.id).map(\.tenant.id) == ["t-acme"])
            #expect(try await store.tenants(of: ann.id).first?.role == .owner)
            var registration = StoreTests.tokenRecord("stw_reg_acme")
            registration.tenantID = "t-acme"
            try await store.createRegistrationToken(registration, audit: StoreTests.audit("registration_token.create", tenant: "t-acme"))
            let token = APITokenRecord(
                id: "tok-1", tenantID: "t-acme", userID: ann.id, digest: SecretToken.Digest(of: SecretToken.generate(.apiToken)),
                description: "ci", createdAt: Self.t0)
            try await store.createAPIToken(token, audit: StoreTests.audit("api_token.create", tenant: "t-acme"))

            #expect(try await store.deleteTenant(id: "t-acme", audit: StoreTests.audit("tenant.delete"), at: Self.t0))
            #expect(try await store.tenant("acme") == nil)
            #expect(try await store.tenants(of: ann.id).isEmpty)
            #expect(try await store.apiToken(lookupKey: token.lookupKey) == nil, "the tenant's tokens are revoked")
            #expect(
                try await store.registrationToken(id: registration.id, tenantID: "t-acme")?.revokedAt == Self.t0,
                "no server can enroll into a deleted tenant")
            #expect(!(try await store.deleteTenant(id: "t-acme", audit: StoreTests.audit("tenant.delete"), at: Self.t0)))
        }
    }

    @Test("a tenant keeps its last owner: it can be neither demoted nor removed", arguments: TestDatabase.available)
    func lastOwner(database: TestDatabase) async throws {
        try await database.withStore { store in
            let owner = try await Self.member("first@example.com", role: .owner, store: store)
            let second = try await Self.member("second@example.com", role: .owner, store: store)
            // The bootstrap owner does not exist in this store: these two are the only owners.
            #expect(
                try await store.changeRole(
                    userID: second.id, tenantID: Store.defaultTenant, to: .admin,
                    audit: StoreTests.audit("user.role"), at: Self.t0
                ).get().role == .admin)
            await #expect(throws: Store.MembershipRefusal.lastOwner) {
                try await store.changeRole(
                    userID: owner.id, tenantID: Store.defaultTenant, to: .viewer,
                    audit: StoreTests.audit("user.role"), at: Self.t0
                ).get()
            }
            await #expect(throws: Store.MembershipRefusal.lastOwner) {
                try await store.removeMember(
                    userID: owner.id, tenantID: Store.defaultTenant, audit: StoreTests.audit("user.remove"),
                    at: Self.t0
                ).get()
            }
            #expect(
                try await store.removeMember(
                    userID: second.id, tenantID: Store.defaultTenant,
                    audit: StoreTests.audit("user.remove"), at: Self.t0
                ).get().userID == second.id)
            #expect(try await store.membership(userID: second.id, tenantID: Store.defaultTenant) == nil)
            await #expect(throws: Store.MembershipRefusal.notFound) {
                try await store.removeMember(
                    userID: second.id, tenantID: Store.defaultTenant, audit: StoreTests.audit("user.remove"),
                    at: Self.t0
                ).get()
            }
            #expect(try await store.members(tenantID: Store.defaultTenant).map(\.user.email) == ["first@example.com"])
        }
    }

    @Test("invitations: accepted once, refused past the seat cap or for a member, revocable", arguments: TestDatabase.available)
    func invitations(database: TestDatabase) async throws {
        try await database.withStore { store in
            #expect(
                try await store.createTenant(
                    TenantRecord(id: "t-small", name: "Small", slug: "small", maxUsers: 2, createdAt: Self.t0),
                    audit: StoreTests.audit("tenant.create")))
            let first = Self.invitation("a@example.com", tenant: "t-small")
            #expect(try await store.createInvitation(first, audit: StoreTests.audit("invitation.create", tenant: "t-small")) == nil)
            let second = Self.invitation("b@example.com", tenant: "t-small")
            #expect(try await store.createInvitation(second, audit: StoreTests.audit("invitation.create", tenant: "t-small")) == nil)
            // Two seats: one open invitation and one more take them both.
            #expect(
                try await store.createInvitation(
                    Self.invitation("c@example.com", tenant: "t-small"),
                    audit: StoreTests.audit("invitation.create", tenant: "t-small")) == .seatLimitReached)
            #expect(
                try await store.revokeInvitation(
                    id: second.id, tenantID: "t-small", audit: StoreTests.audit("invitation.revoke", tenant: "t-small"),
                    at: Self.t0)?.revokedAt == Self.t0)
            #expect(
                try await store.revokeInvitation(
                    id: second.id, tenantID: Store.defaultTenant,
                    audit: StoreTests.audit("invitation.revoke", tenant: Store.defaultTenant), at: Self.t0) == nil,
                "another tenant's invitation is not found")

            let user = Self.user("a@example.com", tenant: "t-small")
            let accepted = try await store.acceptInvitation(
                first, newUser: user, userID: user.id, audit: StoreTests.audit("invitation.accept", tenant: "t-small"), at: Self.t0)
            #expect(accepted?.tenantID == "t-small")
            #expect(
                try await store.acceptInvitation(
                    first, newUser: nil, userID: user.id, audit: StoreTests.audit("invitation.accept", tenant: "t-small"), at: Self.t0)
                    == nil,
                "an invitation is good for one acceptance")
            #expect(try await store.invitation(lookupKey: first.lookupKey)?.acceptedAt == Self.t0)
            #expect(
                try await store.createInvitation(
                    Self.invitation("A@example.com".lowercased(), tenant: "t-small"),
                    audit: StoreTests.audit("invitation.create", tenant: "t-small")) == .alreadyMember)
            let expired = Self.invitation("late@example.com", tenant: "t-small")
            #expect(try await store.createInvitation(expired, audit: StoreTests.audit("invitation.create", tenant: "t-small")) == nil)
            #expect(
                try await store.acceptInvitation(
                    expired, newUser: Self.user("late@example.com"), userID: "late",
                    audit: StoreTests.audit("invitation.accept", tenant: "t-small"),
                    at: Self.t0.addingTimeInterval(8 * 86_400)) == nil, "an expired invitation cannot be accepted")
            #expect(try await store.invitations(tenantID: "t-small").count == 3)
        }
    }

    @Test(
        "personal API tokens: listed per user and tenant, revoked by their user only, last use noted at most once a minute",
        arguments: TestDatabase.available)
    func apiTokens(database: TestDatabase) async throws {
        try await database.withStore { store in
            let ann = try await Self.member("ann@example.com", role: .operator, store: store)
            let bob = try await Self.member("bob@example.com", role: .owner, store: store)
            let token = APITokenRecord(
                id: "tok-ann", tenantID: Store.defaultTenant, userID: ann.id,
                digest: SecretToken.Digest(of: SecretToken.generate(.apiToken)), description: "laptop", role: .viewer,
                expiresAt: Self.t0.addingTimeInterval(3600), createdAt: Self.t0)
            try await store.createAPIToken(token, audit: StoreTests.audit("api_token.create"))
            let found = try #require(try await store.apiToken(lookupKey: token.lookupKey))
            #expect(found.token.role == .viewer && found.token.expiresAt == Self.t0.addingTimeInterval(3600))
            #expect(found.memberRole == .operator)
            #expect(try await store.apiTokens(userID: ann.id, tenantID: Store.defaultTenant).map(\.id) == ["tok-ann"])
            #expect(try await store.apiTokens(userID: bob.id, tenantID: Store.defaultTenant).isEmpty)

            try await store.touchAPIToken(id: "tok-ann", at: Self.t0)
            try await store.touchAPIToken(id: "tok-ann", at: Self.t0.addingTimeInterval(30))
            #expect(try await store.apiToken(lookupKey: token.lookupKey)?.token.lastUsedAt == Self.t0)
            try await store.touchAPIToken(id: "tok-ann", at: Self.t0.addingTimeInterval(61))
            #expect(try await store.apiToken(lookupKey: token.lookupKey)?.token.lastUsedAt == Self.t0.addingTimeInterval(61))

            #expect(
                try await store.revokeAPIToken(
                    id: "tok-ann", userID: bob.id, tenantID: Store.defaultTenant,
                    audit: StoreTests.audit("api_token.revoke"), at: Self.t0) == nil, "only its user revokes a token")
            #expect(
                try await store.revokeAPIToken(
                    id: "tok-ann", userID: ann.id, tenantID: Store.defaultTenant,
                    audit: StoreTests.audit("api_token.revoke"), at: Self.t0) != nil)
            #expect(try await store.apiToken(lookupKey: token.lookupKey) == nil)

            // Disabled: the account stays, its sessions go, and the token check sees it.
            #expect(
                try await store.setDisabled(userID: ann.id, true, audit: StoreTests.audit("user.disable"), at: Self.t0)?.disabledAt
                    == Self.t0)
            #expect(try await store.user(id: ann.id)?.disabledAt == Self.t0)
            #expect(
                try await store.setDisabled(userID: ann.id, false, audit: StoreTests.audit("user.enable"), at: Self.t0)?.disabledAt
                    == nil)
        }
    }

    @Test(
        "two-factor storage: a time step is used once, backup codes once each, and turning it off clears both",
        arguments: TestDatabase.available)
    func twoFactor(database: TestDatabase) async throws {
        try await database.withStore { store in
            let ann = try await Self.member("ann@example.com", role: .admin, store: store)
            try await store.setTOTPSecret(userID: ann.id, sealed: "sealed", audit: StoreTests.audit("user.totp_setup"), at: Self.t0)
            #expect(try await store.user(id: ann.id)?.sealedTOTPSecret == "sealed")
            #expect(try await store.user(id: ann.id)?.totpEnabledAt == nil)
            try await store.enableTOTP(
                userID: ann.id, step: 100, backupCodeHashes: ["h1", "h2"], audit: StoreTests.audit("user.totp_enable"), at: Self.t0)
            #expect(try await store.user(id: ann.id)?.totpEnabledAt == Self.t0)
            #expect(!(try await store.useTOTPStep(userID: ann.id, step: 100)), "the confirming step is used")
            #expect(try await store.useTOTPStep(userID: ann.id, step: 101))
            #expect(!(try await store.useTOTPStep(userID: ann.id, step: 101)), "a replay of the same step is refused")
            #expect(!(try await store.useTOTPStep(userID: ann.id, step: 99)))
            #expect(try await store.useBackupCode(userID: ann.id, hash: "h1", at: Self.t0))
            #expect(!(try await store.useBackupCode(userID: ann.id, hash: "h1", at: Self.t0)))
            #expect(!(try await store.useBackupCode(userID: ann.id, hash: "nope", at: Self.t0)))
            #expect(try await store.unusedBackupCodes(userID: ann.id) == 1)
            try await store.replaceBackupCodes(userID: ann.id, hashes: ["h3"], audit: StoreTests.audit("user.backup_codes"), at: Self.t0)
            #expect(!(try await store.useBackupCode(userID: ann.id, hash: "h2", at: Self.t0)), "replaced codes stop working")
            try await store.disableTOTP(userID: ann.id, audit: StoreTests.audit("user.totp_disable"), at: Self.t0)
            let off = try #require(try await store.user(id: ann.id))
            #expect(off.sealedTOTPSecret == nil && off.totpEnabledAt == nil && off.totpLastStep == nil)
            #expect(try await store.unusedBackupCodes(userID: ann.id) == 0)
        }
    }

    @Test("a user's sessions are listed until their end and ended one by one, only by their user", arguments: TestDatabase.available)
    func sessions(database: TestDatabase) async throws {
        try await database.withStore { store in
            let ann = try await Self.member("ann@example.com", role: .viewer, store: store)
            for (id, end) in [("s-live", 3600.0), ("s-over", -1.0)] {
                var session = SessionRecord(
                    id: id, tenantID: Store.defaultTenant, userID: ann.id, tokenHash: "h", csrfToken: "c", sourceAddress: "192.0.2.1",
                    createdAt: Self.t0, expiresAt: Self.t0.addingTimeInterval(end))
                session.userAgent = "Firefox"
                try await store.createSession(session, audit: StoreTests.audit("console.login"))
            }
            let live = try await store.sessions(userID: ann.id, now: Self.t0)
            #expect(live.map(\.id) == ["s-live"])
            #expect(live.first?.userAgent == "Firefox")
            #expect(
                !(try await store.endSession(id: "s-live", userID: "someone-else", audit: StoreTests.audit("session.revoke"), at: Self.t0)))
            #expect(try await store.endSession(id: "s-live", userID: ann.id, audit: StoreTests.audit("session.revoke"), at: Self.t0))
            #expect(try await store.sessions(userID: ann.id, now: Self.t0).isEmpty)
        }
    }
}
