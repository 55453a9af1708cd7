import Foundation
import SQLKit
import StewardCore

/// Tenants, their members, invitations and personal API tokens.
extension Store {
    /// Why a change to a membership was not made.
    public enum MembershipRefusal: Error, Equatable, Sendable {
        case notFound
        /// The tenant would be left without an owner.
        case lastOwner
        case seatLimitReached
        case alreadyMember
    }

    // MARK: Tenants

    /// `false` when the slug is taken.
    public func createTenant(_ tenant: TenantRecord, audit: AuditEvent) async throws -> Bool {
        try await pool.transaction(.hub) { db in
            guard try await db.raw("SELECT id FROM tenants WHERE slug = \(bind: tenant.slug) OR id = \(bind: tenant.slug)").first() == nil
            else { return false }
            try await db.raw(
                """
                INSERT INTO tenants (id, name, slug, max_users, require_two_factor, created_at)
                VALUES (\(bind: tenant.id), \(bind: tenant.name), \(bind: tenant.slug), \(bind: tenant.maxUsers),
                        \(bind: tenant.requireTwoFactor ? 1 : 0), \(bind: Millis.from(tenant.createdAt)))
                """
            ).run()
            try await appendAudit(audit, on: db, at: tenant.createdAt)
            return true
        }
    }

    /// The live tenant with this id or slug.
    public func tenant(_ idOrSlug: String) async throws -> TenantRecord? {
        try await pool.read(.hub) { db in
            try await db.raw(
                "SELECT * FROM tenants WHERE (id = \(bind: idOrSlug) OR slug = \(bind: idOrSlug)) AND deleted_at IS NULL"
            ).first().map(TenantRecord.init(row:))
        }
    }

    /// Every live tenant, oldest first (hub administrators see them all).
    public func allTenants() async throws -> [TenantRecord] {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT * FROM tenants WHERE deleted_at IS NULL ORDER BY created_at, id").all().map(TenantRecord.init(row:))
        }
    }

    /// The live tenants the user is a member of, with the role there, oldest membership first.
    public func tenants(of userID: String) async throws -> [(tenant: TenantRecord, role: Role)] {
        try await pool.read(.hub) { db in
            try await db.raw(
                """
                SELECT tenants.*, memberships.role AS member_role FROM memberships
                JOIN tenants ON tenants.id = memberships.tenant_id
                WHERE memberships.user_id = \(bind: userID) AND tenants.deleted_at IS NULL
                ORDER BY memberships.created_at, tenants.id
                """
            ).all().map { row in
                (try TenantRecord(row: row), Role(rawValue: try row.decode(column: "member_role", as: String.self)) ?? .viewer)
            }
        }
    }

    /// Saves name, seat cap and two-factor rule.
    public func updateTenant(_ tenant: TenantRecord, audit: AuditEvent, at now: Date) async throws {
        try await pool.transaction(.hub) { db in
            try await db.raw(
                """
                UPDATE tenants SET name = \(bind: tenant.name), max_users = \(bind: tenant.maxUsers),
                    require_two_factor = \(bind: tenant.requireTwoFactor ? 1 : 0)
                WHERE id = \(bind: tenant.id) AND deleted_at IS NULL
                """
            ).run()
            try await appendAudit(audit, on: db, at: now)
        }
    }

    /// Deletes a tenant: it disappears, its agents' credentials, registration tokens, API tokens,
    /// sessions and open invitations stop working at once. Its records stay for the audit trail. `false` when there is none.
    public func deleteTenant(id: String, audit: AuditEvent, at now: Date) async throws -> Bool {
        let millis = Millis.from(now)
        return try await pool.transaction(.hub) { db in
            guard
                try await db.raw("SELECT id FROM tenants WHERE id = \(bind: id) AND deleted_at IS NULL\(unsafeRaw: lockRows)").first()
                    != nil
            else { return false }
            try await db.raw("UPDATE tenants SET deleted_at = \(bind: millis) WHERE id = \(bind: id)").run()
            try await db.raw("UPDATE agents SET revoked_at = \(bind: millis) WHERE tenant_id = \(bind: id) AND revoked_at IS NULL").run()
            try await db.raw(
                "UPDATE registration_tokens SET revoked_at = \(bind: millis) WHERE tenant_id = \(bind: id) AND revoked_at IS NULL"
            ).run()
            try await db.raw("UPDATE api_tokens SET revoked_at = \(bind: millis) WHERE tenant_id = \(bind: id) AND revoked_at IS NULL")
                .run()
            try await db.raw("UPDATE invitations SET revoked_at = \(bind: millis) WHERE tenant_id = \(bind: id) AND revoked_at IS NULL")
                .run()
            try await db.raw("DELETE FROM sessions WHERE tenant_id = \(bind: id)").run()
            try await appendAudit(audit, on: db, at: now)
            return true
        }
    }

    // MARK: Members

    public func user(id: String) async throws -> UserRecord? {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT * FROM users WHERE id = \(bind: id)").first().map(UserRecord.init(row:))
        }
    }

    public func membership(userID: String, tenantID: String) async throws -> MembershipRecord? {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw(
                "SELECT * FROM memberships WHERE user_id = \(bind: userID) AND tenant_id = \(bind: tenantID)"
            ).first().map(MembershipRecord.init(row:))
        }
    }

    /// The tenant's members and their roles, by e-mail.
    public func members(tenantID: String) async throws -> [(user: UserRecord, membership: MembershipRecord)] {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw(
                """
                SELECT users.*, memberships.user_id, memberships.tenant_id AS member_tenant, memberships.role AS member_role,
                    memberships.created_at AS member_since
                FROM memberships JOIN users ON users.id = memberships.user_id
                WHERE memberships.tenant_id = \(bind: tenantID) ORDER BY users.email
                """
            ).all().map { row in
                let user = try UserRecord(row: row)
                let role = Role(rawValue: try row.decode(column: "member_role", as: String.self)) ?? .viewer
                let since = Millis.date(try row.decode(column: "member_since", as: Int64.self))
                return (user, MembershipRecord(userID: user.id, tenantID: tenantID, role: role, createdAt: since))
            }
        }
    }

    /// Gives a member another role; refused when that would leave the tenant without an owner.
    public func changeRole(
        userID: String, tenantID: String, to role: Role, audit: AuditEvent, at now: Date
    ) async throws
        -> Result<MembershipRecord, MembershipRefusal>
    {
        try await pool.transaction(.tenant(tenantID)) { db in
            guard var membership = try await Self.lockedMembership(userID: userID, tenantID: tenantID, on: db, lock: lockRows) else {
                return .failure(.notFound)
            }
            if membership.role == .owner, role != .owner, try await Self.ownerCount(tenantID: tenantID, on: db) <= 1 {
                return .failure(.lastOwner)
            }
            try await db.raw(
                "UPDATE memberships SET role = \(bind: role.rawValue) WHERE user_id = \(bind: userID) AND tenant_id = \(bind: tenantID)"
            ).run()
            try await appendAudit(audit, on: db, at: now)
            membership.role = role
            return .success(membership)
        }
    }

    /// Removes a member from the tenant (the account stays); the member's sessions and tokens in the
    /// tenant end. Refused for the last owner.
    public func removeMember(
        userID: String, tenantID: String, audit: AuditEvent, at now: Date
    ) async throws
        -> Result<MembershipRecord, MembershipRefusal>
    {
        let millis = Millis.from(now)
        return try await pool.transaction(.tenant(tenantID)) { db in
            guard let membership = try await Self.lockedMembership(userID: userID, tenantID: tenantID, on: db, lock: lockRows) else {
                return .failure(.notFound)
            }
            if membership.role == .owner, try await Self.ownerCount(tenantID: tenantID, on: db) <= 1 { return .failure(.lastOwner) }
            try await db.raw("DELETE FROM memberships WHERE user_id = \(bind: userID) AND tenant_id = \(bind: tenantID)").run()
            try await db.raw(
                """
                UPDATE api_tokens SET revoked_at = \(bind: millis)
                WHERE user_id = \(bind: userID) AND tenant_id = \(bind: tenantID) AND revoked_at IS NULL
                """
            ).run()
            try await db.raw("DELETE FROM sessions WHERE user_id = \(bind: userID) AND tenant_id = \(bind: tenantID)").run()
            try await appendAudit(audit, on: db, at: now)
            return .success(membership)
        }
    }

    /// Disables or enables an account. Disabled: its sessions are deleted, and its tokens are refused
    /// while it stays disabled. `nil` when there is no such user.
    public func setDisabled(userID: String, _ disabled: Bool, audit: AuditEvent, at now: Date) async throws -> UserRecord? {
        try await pool.transaction(.hub) { db in
            guard var user = try await db.raw("SELECT * FROM users WHERE id = \(bind: userID)").first().map(UserRecord.init(row:)) else {
                return nil
            }
            user.disabledAt = disabled ? (user.disabledAt ?? now) : nil
            try await db.raw("UPDATE users SET disabled_at = \(bind: user.disabledAt.map(Millis.from)) WHERE id = \(bind: userID)").run()
            if disabled { try await db.raw("DELETE FROM sessions WHERE user_id = \(bind: userID)").run() }
            try await appendAudit(audit, on: db, at: now)
            return user
        }
    }

    /// Sets a new password hash and ends every session of the user but `keeping`.
    public func changePassword(userID: String, hash: String, keeping session: String?, audit: AuditEvent, at now: Date) async throws {
        try await pool.transaction(.hub) { db in
            try await db.raw("UPDATE users SET password_hash = \(bind: hash) WHERE id = \(bind: userID)").run()
            try await db.raw("DELETE FROM sessions WHERE user_id = \(bind: userID) AND id <> \(bind: session ?? "")").run()
            try await appendAudit(audit, on: db, at: now)
        }
    }

    private static func lockedMembership(
        userID: String, tenantID: String, on db: any SQLDatabase, lock: String
    ) async throws
        -> MembershipRecord?
    {
        try await db.raw(
            "SELECT * FROM memberships WHERE user_id = \(bind: userID) AND tenant_id = \(bind: tenantID)\(unsafeRaw: lock)"
        ).first().map(MembershipRecord.init(row:))
    }

    private static func ownerCount(tenantID: String, on db: any SQLDatabase) async throws -> Int {
        try await db.raw(
            "SELECT COUNT(*) AS n FROM memberships WHERE tenant_id = \(bind: tenantID) AND role = \(bind: Role.owner.rawValue)"
        ).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    // MARK: Invitations

    /// Stores an invitation unless the e-mail is a member already or the tenant's seats (members and
    /// open invitations) are all taken. The tenant row is locked so that two invitations cannot both
    /// take the last seat.
    public func createInvitation(_ invitation: InvitationRecord, audit: AuditEvent) async throws -> MembershipRefusal? {
        let now = Millis.from(invitation.createdAt)
        return try await pool.transaction(.tenant(invitation.tenantID)) { db in
            guard
                let tenant = try await db.raw(
                    "SELECT * FROM tenants WHERE id = \(bind: invitation.tenantID) AND deleted_at IS NULL\(unsafeRaw: lockRows)"
                ).first().map(TenantRecord.init(row:))
            else { return .notFound }
            let member = try await db.raw(
                """
                SELECT users.id FROM users JOIN memberships ON memberships.user_id = users.id
                WHERE users.email = \(bind: invitation.email) AND memberships.tenant_id = \(bind: invitation.tenantID)
                """
            ).first()
            guard member == nil else { return .alreadyMember }
            if let cap = tenant.maxUsers {
                let members =
                    try await db.raw("SELECT COUNT(*) AS n FROM memberships WHERE tenant_id = \(bind: tenant.id)").first()?
                    .decode(column: "n", as: Int.self) ?? 0
                let open =
                    try await db.raw(
                        """
                        SELECT COUNT(*) AS n FROM invitations WHERE tenant_id = \(bind: tenant.id)
                            AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > \(bind: now)
                        """
                    ).first()?.decode(column: "n", as: Int.self) ?? 0
                if members + open >= cap { return .seatLimitReached }
            }
            try await db.raw(
                """
                INSERT INTO invitations (id, tenant_id, email, role, lookup_key, token_hash, created_by, created_at, expires_at)
                VALUES (\(bind: invitation.id), \(bind: invitation.tenantID), \(bind: invitation.email), \(bind: invitation.role.rawValue),
                        \(bind: invitation.lookupKey), \(bind: invitation.tokenHash), \(bind: invitation.createdBy), \(bind: now),
                        \(bind: Millis.from(invitation.expiresAt)))
                """
            ).run()
            try await appendAudit(audit, on: db, at: invitation.createdAt)
            return nil
        }
    }

    /// The tenant's invitations, newest first.
    public func invitations(tenantID: String) async throws -> [InvitationRecord] {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw("SELECT * FROM invitations WHERE tenant_id = \(bind: tenantID) ORDER BY created_at DESC, id").all()
                .map(InvitationRecord.init(row:))
        }
    }

    public func invitation(lookupKey: String) async throws -> InvitationRecord? {
        try await pool.read(.hub) { db in
            try await db.raw("SELECT * FROM invitations WHERE lookup_key = \(bind: lookupKey)").first().map(InvitationRecord.init(row:))
        }
    }

    /// Revokes an open invitation; `nil` when the tenant has none with this id.
    public func revokeInvitation(id: String, tenantID: String, audit: AuditEvent, at now: Date) async throws -> InvitationRecord? {
        try await pool.transaction(.tenant(tenantID)) { db in
            guard
                var invitation = try await db.raw(
                    "SELECT * FROM invitations WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)"
                ).first().map(InvitationRecord.init(row:))
            else { return nil }
            guard invitation.revokedAt == nil, invitation.acceptedAt == nil else { return invitation }
            try await db.raw("UPDATE invitations SET revoked_at = \(bind: Millis.from(now)) WHERE id = \(bind: id)").run()
            try await appendAudit(audit, on: db, at: now)
            invitation.revokedAt = now
            return invitation
        }
    }

    /// Accepts an open invitation once: creates `newUser` (when the e-mail has no account yet) and the
    /// membership. `nil` when the invitation is no longer open (accepted meanwhile, revoked, expired).
    public func acceptInvitation(
        _ invitation: InvitationRecord, newUser: UserRecord?, userID: String, audit: AuditEvent, at now: Date
    ) async throws -> MembershipRecord? {
        let millis = Millis.from(now)
        return try await pool.transaction(.tenant(invitation.tenantID)) { db in
            // The conditional update is what makes a token good for one acceptance only.
            let taken = try await db.raw(
                """
                UPDATE invitations SET accepted_at = \(bind: millis)
                WHERE id = \(bind: invitation.id) AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > \(bind: millis)
                RETURNING id
                """
            ).first()
            guard taken != nil else { return nil }
            if let user = newUser {
                try await db.raw(
                    """
                    INSERT INTO users (id, tenant_id, email, name, password_hash, role, created_at)
                    VALUES (\(bind: user.id), \(bind: invitation.tenantID), \(bind: user.email), \(bind: user.name),
                            \(bind: user.passwordHash), \(bind: invitation.role.rawValue), \(bind: millis))
                    """
                ).run()
            }
            let membership = MembershipRecord(userID: userID, tenantID: invitation.tenantID, role: invitation.role, createdAt: now)
            try await db.raw(
                """
                INSERT INTO memberships (user_id, tenant_id, role, created_at)
                VALUES (\(bind: userID), \(bind: invitation.tenantID), \(bind: invitation.role.rawValue), \(bind: millis))
                """
            ).run()
            try await appendAudit(audit, on: db, at: now)
            return membership
        }
    }

    // MARK: API tokens

    public func createAPIToken(_ token: APITokenRecord, audit: AuditEvent) async throws {
        try await pool.transaction(.tenant(token.tenantID)) { db in
            try await db.raw(
                """
                INSERT INTO api_tokens (id, tenant_id, user_id, lookup_key, token_hash, description, role, expires_at, created_at)
                VALUES (\(bind: token.id), \(bind: token.tenantID), \(bind: token.userID), \(bind: token.lookupKey),
                        \(bind: token.tokenHash), \(bind: token.description), \(bind: token.role?.rawValue),
                        \(bind: token.expiresAt.map(Millis.from)), \(bind: Millis.from(token.createdAt)))
                """
            ).run()
            try await appendAudit(audit, on: db, at: token.createdAt)
        }
    }

    /// The user's unrevoked tokens in the tenant, newest first.
    public func apiTokens(userID: String, tenantID: String) async throws -> [APITokenRecord] {
        try await pool.read(.tenant(tenantID)) { db in
            try await db.raw(
                """
                SELECT * FROM api_tokens WHERE user_id = \(bind: userID) AND tenant_id = \(bind: tenantID) AND revoked_at IS NULL
                ORDER BY created_at DESC, id
                """
            ).all().map(APITokenRecord.init(row:))
        }
    }

    /// Revokes one of the user's tokens in the tenant; `nil` when there is none with this id.
    public func revokeAPIToken(
        id: String, userID: String, tenantID: String, audit: AuditEvent, at now: Date
    ) async throws
        -> APITokenRecord?
    {
        try await pool.transaction(.tenant(tenantID)) { db in
            guard
                var token = try await db.raw(
                    """
                    SELECT * FROM api_tokens WHERE id = \(bind: id) AND user_id = \(bind: userID) AND tenant_id = \(bind: tenantID)
                        AND revoked_at IS NULL
                    """
                ).first().map(APITokenRecord.init(row:))
            else { return nil }
            try await db.raw("UPDATE api_tokens SET revoked_at = \(bind: Millis.from(now)) WHERE id = \(bind: id)").run()
            try await appendAudit(audit, on: db, at: now)
            token.revokedAt = now
            return token
        }
    }

    /// Notes that a token was used; at most once a minute, so reads do not become writes.
    public func touchAPIToken(id: String, at now: Date) async throws {
        let millis = Millis.from(now)
        try await pool.transaction(.hub) { db in
            try await db.raw(
                """
                UPDATE api_tokens SET last_used_at = \(bind: millis)
                WHERE id = \(bind: id) AND (last_used_at IS NULL OR last_used_at < \(bind: millis - 60_000))
                """
            ).run()
        }
    }
}
