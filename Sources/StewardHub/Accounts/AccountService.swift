import Foundation
import HTTPTypes
import HummingbirdBcrypt
import Logging
import NIOPosix
import StewardCore

/// Users, invitations, personal API tokens and tenants: the rules both the API and the console
/// follow. Who may call what is decided by ``RoutePermissions``; what is left here are the rules
/// that depend on the target (roles above one's own, the last owner, seats, confirmations).
struct AccountService: Sendable {
    let store: Store
    let clock: HubClock
    let signIn: SignIn
    /// Sends invitation links when the hub has `--smtp-url`; without it they are only shown.
    var mailer: SMTPClient?
    var logger: Logger
    /// Refuses invitations past the license's `max_users`.
    var license: HubLicense
    /// Seals TOTP secrets with the master key.
    var box: SecretBox { signIn.box }

    /// How long an invitation can be accepted.
    static let invitationLifetime: TimeInterval = 7 * 86_400
    static let maxNameLength = 200

    // MARK: Users

    func users(of requester: Requester) async throws -> [Wire.User.Info] {
        try await store.members(tenantID: requester.identity.tenantID).map { user, membership in
            Wire.User.Info(
                id: user.id, email: user.email, name: user.name, role: membership.role.rawValue, disabled: user.disabledAt != nil,
                hubAdmin: user.isHubAdmin, memberSince: membership.createdAt)
        }
    }

    /// Changes a member's role or disables/enables the account. Admins and owners are changed, and
    /// made, only by those who may manage admins; nobody disables themself.
    func update(userID: String, _ body: Wire.User.UpdateRequest, by requester: Requester) async throws -> Wire.User.Info {
        let identity = requester.identity
        guard let membership = try await store.membership(userID: userID, tenantID: identity.tenantID) else {
            throw APIError.notFound("user", id: userID)
        }
        let newRole = try body.role.map { try Self.role($0, field: "role") }
        if membership.role >= .admin || (newRole ?? .viewer) >= .admin, !identity.allows(.manageAdmins) {
            throw APIError(.forbidden, code: "forbidden", detail: "only an owner may change admins and owners, or make them")
        }
        // Every check comes before any change: a refused request changes nothing.
        if body.disabled != nil {
            guard userID != identity.userID else {
                throw APIError(.conflict, code: "cannot_disable_self", detail: "you cannot disable your own account")
            }
            // An account is one for every tenant it belongs to: one tenant's admins must not lock it out of the others.
            let user = try await store.user(id: userID)
            let tenantCount = try await store.tenants(of: userID).count
            if !identity.isHubAdmin, user?.isHubAdmin == true || tenantCount > 1 {
                throw APIError(
                    .forbidden, code: "forbidden",
                    detail:
                        "this account belongs to other tenants too; only a hub administrator may disable it (remove it from this tenant instead)"
                )
            }
        }
        let now = clock.now
        if let newRole, newRole != membership.role {
            let audit = requester.audit(
                "user.role", target: "user:\(userID)", detail: ["from": membership.role.rawValue, "to": newRole.rawValue])
            if case .failure(let refusal) = try await store.changeRole(
                userID: userID, tenantID: identity.tenantID, to: newRole, audit: audit, at: now)
            {
                throw Self.error(refusal, userID: userID)
            }
        }
        if let disabled = body.disabled {
            _ = try await store.setDisabled(
                userID: userID, disabled, audit: requester.audit(disabled ? "user.disable" : "user.enable", target: "user:\(userID)"),
                at: now)
        }
        guard let updated = try await users(of: requester).first(where: { $0.id == userID }) else {
            throw APIError.notFound("user", id: userID)
        }
        return updated
    }

    /// Removes a member from the tenant; the body must confirm with the member's e-mail.
    func remove(userID: String, confirm: String?, by requester: Requester) async throws {
        let identity = requester.identity
        guard let user = try await store.user(id: userID),
            let membership = try await store.membership(userID: userID, tenantID: identity.tenantID)
        else { throw APIError.notFound("user", id: userID) }
        try Self.confirm(confirm, equals: user.email)
        if membership.role >= .admin, !identity.allows(.manageAdmins) {
            throw APIError(.forbidden, code: "forbidden", detail: "only an owner may remove admins and owners")
        }
        if case .failure(let refusal) = try await store.removeMember(
            userID: userID, tenantID: identity.tenantID, audit: requester.audit("user.remove", target: "user:\(userID)"), at: clock.now)
        {
            throw Self.error(refusal, userID: userID)
        }
    }

    /// Changes the caller's password (the current one must be right) and ends their other sessions.
    func changePassword(_ body: Wire.User.PasswordChange, keeping session: String?, by requester: Requester) async throws {
        guard let user = try await store.user(id: requester.identity.userID) else { throw APIError.unauthenticated }
        guard
            let matches = try await signIn.passwords.verify(
                String(body.currentPassword.prefix(SignIn.maxPasswordLength)), hash: user.passwordHash)
        else { throw APIError(.serviceUnavailable, code: "busy", detail: "the hub is busy checking passwords; try again") }
        guard matches else {
            throw APIError(
                .unprocessableContent, code: "validation_failed", detail: "current_password: is not right",
                errors: [.init(field: "current_password", message: "is not right")])
        }
        if let problem = PasswordPolicy.problem(body.newPassword, email: user.email) {
            throw APIError.invalid([.init(field: "new_password", message: problem)])
        }
        let hash = try await Self.hash(body.newPassword)
        try await store.changePassword(
            userID: user.id, hash: hash, keeping: session, audit: requester.audit("user.password_change", target: "user:\(user.id)"),
            at: clock.now)
    }

    /// The caller's console sessions, with where and from what they were opened.
    func sessions(of requester: Requester) async throws -> [Wire.Session] {
        try await store.sessions(userID: requester.identity.userID, now: clock.now).map {
            .init(
                id: $0.id, sourceAddress: $0.sourceAddress, userAgent: $0.userAgent, createdAt: $0.createdAt, lastSeenAt: $0.lastSeenAt,
                expiresAt: $0.expiresAt)
        }
    }

    func endSession(_ id: String, by requester: Requester) async throws {
        guard
            try await store.endSession(
                id: id, userID: requester.identity.userID, audit: requester.audit("session.revoke", target: "session:\(id)"),
                at: clock.now)
        else { throw APIError.notFound("session", id: id) }
    }

    /// The caller's last 100 sign-ins: successes, failures and throttling, in every tenant.
    func signIns(of requester: Requester) async throws -> [Wire.Audit.Entry] {
        try await store.signIns(email: requester.identity.email, limit: 100)
    }

    // MARK: Invitations

    func invite(
        _ body: Wire.Invitation.CreateRequest, baseURL: String, by requester: Requester
    ) async throws
        -> Wire.Invitation.Created
    {
        let email = body.email.trimmingCharacters(in: .whitespaces).lowercased()
        var problems: [Wire.FieldError] = []
        if email.utf8.count > SignIn.maxEmailLength || !Self.looksLikeEmail(email) {
            problems.append(.init(field: "email", message: "must be an e-mail address"))
        }
        let role = Role(rawValue: body.role)
        if role == nil { problems.append(.init(field: "role", message: "must be viewer, operator, admin or owner")) }
        guard problems.isEmpty, let role else { throw APIError.invalid(problems) }
        if role >= .admin, !requester.identity.allows(.manageAdmins) {
            throw APIError(.forbidden, code: "forbidden", detail: "only an owner may invite admins and owners")
        }
        try await license.admitUser()
        let token = SecretToken.generate(.invitation)
        let now = clock.now
        let invitation = InvitationRecord(
            id: UUID().uuidString.lowercased(), tenantID: requester.identity.tenantID, email: email, role: role,
            digest: SecretToken.Digest(of: token), createdBy: requester.identity.email, createdAt: now,
            expiresAt: now.addingTimeInterval(Self.invitationLifetime))
        let audit = requester.audit(
            "invitation.create", target: "invitation:\(invitation.id)", detail: ["email": email, "role": role.rawValue])
        switch try await store.createInvitation(invitation, audit: audit) {
        case nil: break
        case .seatLimitReached:
            throw APIError(
                .conflict, code: "seat_limit_reached", detail: "every seat of this tenant is taken (members and open invitations)")
        case .alreadyMember:
            throw APIError(.conflict, code: "already_member", detail: "\(email) is a member already")
        case .notFound, .lastOwner:
            throw APIError.notFound("tenant", id: requester.identity.tenantID)
        }
        let acceptURL = baseURL + "/invitations/accept?token=" + token
        let mailed = await mail(invitation, link: acceptURL, by: requester)
        return .init(token: token, invitation: Self.info(invitation, now: now), acceptURL: acceptURL, mailed: mailed)
    }

    /// E-mails the invitation link, when the hub can send mail. A failure is logged (never the link
    /// or a credential) and leaves the invitation as it is: the admin has the link on screen.
    private func mail(_ invitation: InvitationRecord, link: String, by requester: Requester) async -> Bool {
        guard let mailer else { return false }
        let tenant = (try? await store.tenant(invitation.tenantID))?.name ?? invitation.tenantID
        var utc = Date.FormatStyle(date: .long, time: .shortened)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let expires = invitation.expiresAt.formatted(utc)
        let message = SMTPClient.Message(
            to: invitation.email, subject: "You are invited to \(tenant) on Steward",
            body: """
                \(requester.identity.email) invited you to join \(tenant) on Steward as \(invitation.role.rawValue).

                To accept, open this link and choose your name and password:

                \(link)

                The link works once, until \(expires) (UTC). If you did not expect this invitation, ignore it.
                """)
        do {
            try await mailer.send(message, now: clock.now)
            logger.info("invitation e-mailed", metadata: ["invitation.id": "\(invitation.id)"])
            return true
        } catch {
            logger.warning(
                "cannot e-mail the invitation; the link is shown to the admin only",
                metadata: ["invitation.id": "\(invitation.id)", "smtp.server": "\(mailer.settings)", "error": "\(error)"])
            return false
        }
    }

    func invitations(of requester: Requester) async throws -> [Wire.Invitation.Info] {
        let now = clock.now
        return try await store.invitations(tenantID: requester.identity.tenantID).map { Self.info($0, now: now) }
    }

    func revokeInvitation(_ id: String, by requester: Requester) async throws -> Wire.Invitation.Info {
        let now = clock.now
        guard
            let invitation = try await store.revokeInvitation(
                id: id, tenantID: requester.identity.tenantID, audit: requester.audit("invitation.revoke", target: "invitation:\(id)"),
                at: now)
        else { throw APIError.notFound("invitation", id: id) }
        return Self.info(invitation, now: now)
    }

    /// Accepts an invitation: a new account with this name and password, or, for an e-mail that has
    /// an account already, a new membership once that account's password is given.
    func accept(_ body: Wire.Invitation.AcceptRequest, from address: String) async throws -> Wire.User.Info {
        let now = clock.now
        let digest = SecretToken.Digest(of: body.token)
        guard body.token.hasPrefix(SecretToken.Kind.invitation.rawValue),
            let invitation = try await store.invitation(lookupKey: digest.lookupKey),
            ConstantTime.equals(invitation.tokenHash, digest.hash), invitation.isOpen(at: now)
        else {
            throw APIError(.notFound, code: "invitation_invalid", detail: "the invitation is not valid: wrong, used, revoked or expired")
        }
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        let audit = AuditEvent(
            tenantID: invitation.tenantID, actor: invitation.email, action: "invitation.accept", target: "invitation:\(invitation.id)",
            detail: ["role": invitation.role.rawValue], sourceAddress: address)
        let existing = try await store.user(email: invitation.email)
        var newUser: UserRecord?
        if let existing {
            // Someone holding the link must not take over an existing account: its password is the proof.
            guard
                try await signIn.passwords.verify(String(body.password.prefix(SignIn.maxPasswordLength)), hash: existing.passwordHash)
                    == true
            else {
                throw APIError(
                    .unprocessableContent, code: "validation_failed", detail: "password: is not the password of \(invitation.email)",
                    errors: [.init(field: "password", message: "is not the password of the existing account \(invitation.email)")])
            }
        } else {
            var problems: [Wire.FieldError] = []
            if name.isEmpty || name.count > Self.maxNameLength {
                problems.append(.init(field: "name", message: "give 1 to \(Self.maxNameLength) characters"))
            }
            if let problem = PasswordPolicy.problem(body.password, email: invitation.email) {
                problems.append(.init(field: "password", message: problem))
            }
            guard problems.isEmpty else { throw APIError.invalid(problems) }
            newUser = UserRecord(
                id: UUID().uuidString.lowercased(), tenantID: invitation.tenantID, email: invitation.email, name: name,
                passwordHash: try await Self.hash(body.password), role: invitation.role, createdAt: now)
        }
        let userID = existing?.id ?? newUser!.id
        guard let membership = try await store.acceptInvitation(invitation, newUser: newUser, userID: userID, audit: audit, at: now)
        else {
            throw APIError(.notFound, code: "invitation_invalid", detail: "the invitation is not valid: wrong, used, revoked or expired")
        }
        let user = existing ?? newUser!
        return .init(
            id: user.id, email: user.email, name: user.name, role: membership.role.rawValue, disabled: user.disabledAt != nil,
            hubAdmin: user.isHubAdmin, memberSince: membership.createdAt)
    }

    // MARK: API tokens

    func createToken(_ body: Wire.APIToken.CreateRequest, by requester: Requester) async throws -> Wire.APIToken.Created {
        let identity = requester.identity
        let name = (body.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [Wire.FieldError] = []
        if name.count > Self.maxNameLength { problems.append(.init(field: "name", message: "at most \(Self.maxNameLength) characters")) }
        let role = body.role.flatMap(Role.init(rawValue:))
        if body.role != nil, role == nil { problems.append(.init(field: "role", message: "must be viewer, operator, admin or owner")) }
        if let role, role > identity.role {
            problems.append(.init(field: "role", message: "must not be above your own role (\(identity.role.rawValue))"))
        }
        if let expiry = body.expiresAt, expiry <= clock.now {
            problems.append(.init(field: "expires_at", message: "must be in the future"))
        }
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        return try await mintToken(
            userID: identity.userID, tenantID: identity.tenantID, name: name, role: role ?? identity.role, expiresAt: body.expiresAt,
            audit: { requester.audit("api_token.create", target: "api_token:\($0)") })
    }

    func tokens(of requester: Requester) async throws -> [Wire.APIToken.Info] {
        try await store.apiTokens(userID: requester.identity.userID, tenantID: requester.identity.tenantID).map(Self.info)
    }

    func revokeToken(_ id: String, by requester: Requester) async throws {
        guard
            try await store.revokeAPIToken(
                id: id, userID: requester.identity.userID, tenantID: requester.identity.tenantID,
                audit: requester.audit("api_token.revoke", target: "api_token:\(id)"), at: clock.now) != nil
        else { throw APIError.notFound("API token", id: id) }
    }

    /// `POST /api/v1/auth/tokens`: a new token for an e-mail and password.
    func signInForToken(_ body: Wire.APIToken.SignInRequest, from address: String) async throws -> Wire.APIToken.Created {
        let user: UserRecord
        switch try await signIn.check(email: body.email, password: body.password, from: address, channel: "api.sign_in") {
        case .throttled(let wait):
            throw APIError(.tooManyRequests, code: "rate_limited", detail: "too many sign-in attempts; try again in \(wait) s")
        case .busy:
            throw APIError(.serviceUnavailable, code: "busy", detail: "the hub is busy checking other sign-ins; try again in a moment")
        case .failed:
            throw APIError(.unauthorized, code: "invalid_credentials", detail: "the e-mail or the password is not right")
        case .success(let known):
            user = known
        }
        try await signIn.checkSecondFactor(of: user, otp: body.otp, from: address)
        let memberships = try await store.tenants(of: user.id)
        let chosen: (tenant: TenantRecord, role: Role)?
        if let wanted = body.tenant {
            chosen = memberships.first { $0.tenant.id == wanted || $0.tenant.slug == wanted }
        } else {
            chosen = memberships.first
        }
        guard let chosen else {
            throw APIError(
                .forbidden, code: "no_tenant",
                detail: body.tenant.map { "you are not a member of \($0)" } ?? "you are not a member of any tenant")
        }
        if chosen.tenant.requireTwoFactor, chosen.role >= .admin, user.totpEnabledAt == nil {
            throw APIError(
                .forbidden, code: "two_factor_required",
                detail: "\(chosen.tenant.name) requires two-factor sign-in for admins and owners; turn it on first (POST /api/v1/me/totp)")
        }
        let name = String((body.name ?? "signed in from \(address)").prefix(Self.maxNameLength))
        return try await mintToken(
            userID: user.id, tenantID: chosen.tenant.id, name: name, role: nil, expiresAt: nil,
            audit: { id in
                AuditEvent(
                    tenantID: chosen.tenant.id, actor: user.email, action: "api.sign_in", target: "api_token:\(id)", sourceAddress: address)
            })
    }

    private func mintToken(
        userID: String, tenantID: String, name: String, role: Role?, expiresAt: Date?, audit: (String) -> AuditEvent
    ) async throws -> Wire.APIToken.Created {
        let token = SecretToken.generate(.apiToken)
        let record = APITokenRecord(
            id: UUID().uuidString.lowercased(), tenantID: tenantID, userID: userID, digest: SecretToken.Digest(of: token),
            description: name, role: role, expiresAt: expiresAt, createdAt: clock.now)
        try await store.createAPIToken(record, audit: audit(record.id))
        return .init(token: token, apiToken: Self.info(record))
    }

    // MARK: Two-factor sign-in

    /// A new TOTP secret for the caller; two-factor sign-in is on once a first code confirms it.
    func startTOTP(by requester: Requester) async throws -> Wire.TwoFactor.Setup {
        guard let user = try await store.user(id: requester.identity.userID) else { throw APIError.unauthenticated }
        guard user.totpEnabledAt == nil else {
            throw APIError(.conflict, code: "totp_enabled", detail: "two-factor sign-in is on already; turn it off first")
        }
        let secret = TwoFactor.newSecret()
        try await store.setTOTPSecret(
            userID: user.id, sealed: try box.seal(encoding: secret), audit: requester.audit("user.totp_setup", target: "user:\(user.id)"),
            at: clock.now)
        return .init(secret: TwoFactor.displaySecret(secret), otpauthURI: TwoFactor.uri(secret: secret, account: user.email))
    }

    /// Confirms the secret with a first code: two-factor sign-in is on; the backup codes are shown once.
    func confirmTOTP(_ body: Wire.TwoFactor.Code, by requester: Requester) async throws -> Wire.TwoFactor.BackupCodes {
        guard let user = try await store.user(id: requester.identity.userID) else { throw APIError.unauthenticated }
        guard user.totpEnabledAt == nil, let sealed = user.sealedTOTPSecret else {
            throw APIError(.conflict, code: "totp_not_started", detail: "start with POST /api/v1/me/totp")
        }
        let secret = try box.open(sealed, as: String.self)
        guard let step = TwoFactor.acceptedStep(body.otp, secret: secret, now: clock.now, after: nil) else {
            throw APIError.invalid([.init(field: "otp", message: "is not the current code of the new secret")])
        }
        let codes = TwoFactor.newBackupCodes()
        try await store.enableTOTP(
            userID: user.id, step: step, backupCodeHashes: codes.map(TwoFactor.backupCodeHash),
            audit: requester.audit("user.totp_enable", target: "user:\(user.id)"), at: clock.now)
        return .init(backupCodes: codes)
    }

    /// New backup codes (the old ones stop working), for a current code.
    func regenerateBackupCodes(_ body: Wire.TwoFactor.Code, by requester: Requester) async throws -> Wire.TwoFactor.BackupCodes {
        let user = try await userWithTOTP(requester, proving: body.otp)
        let codes = TwoFactor.newBackupCodes()
        try await store.replaceBackupCodes(
            userID: user.id, hashes: codes.map(TwoFactor.backupCodeHash),
            audit: requester.audit("user.backup_codes_regenerate", target: "user:\(user.id)"), at: clock.now)
        return .init(backupCodes: codes)
    }

    /// Turns two-factor sign-in off, for a current code or a backup code.
    func disableTOTP(_ body: Wire.TwoFactor.Code, by requester: Requester) async throws {
        let user = try await userWithTOTP(requester, proving: body.otp)
        try await store.disableTOTP(userID: user.id, audit: requester.audit("user.totp_disable", target: "user:\(user.id)"), at: clock.now)
    }

    private func userWithTOTP(_ requester: Requester, proving otp: String) async throws -> UserRecord {
        guard let user = try await store.user(id: requester.identity.userID) else { throw APIError.unauthenticated }
        guard user.totpEnabledAt != nil else { throw APIError(.conflict, code: "totp_off", detail: "two-factor sign-in is off") }
        do {
            try await signIn.checkSecondFactor(of: user, otp: otp, from: requester.sourceAddress)
        } catch let error as APIError where error.code == "otp_invalid" || error.code == "otp_required" {
            throw APIError.invalid([.init(field: "otp", message: "is not a current code or an unused backup code")])
        }
        return user
    }

    /// The secret of a two-factor setup that was started and not yet confirmed, to show its code
    /// again; `nil` when none is pending.
    func pendingTOTP(of requester: Requester) async throws -> Wire.TwoFactor.Setup? {
        guard let user = try await store.user(id: requester.identity.userID), user.totpEnabledAt == nil,
            let sealed = user.sealedTOTPSecret
        else { return nil }
        let secret = try box.open(sealed, as: String.self)
        return .init(secret: TwoFactor.displaySecret(secret), otpauthURI: TwoFactor.uri(secret: secret, account: user.email))
    }

    // MARK: Tenants

    /// Moves the caller's console session to another tenant they belong to (any live tenant for a
    /// hub administrator). Another tenant's existence is not revealed: unknown and foreign are 404 alike.
    func switchTenant(to idOrSlug: String, session: String, by requester: Requester) async throws -> TenantRecord {
        let identity = requester.identity
        guard let tenant = try await store.tenant(idOrSlug) else { throw APIError.notFound("tenant", id: idOrSlug) }
        let member = try await store.membership(userID: identity.userID, tenantID: tenant.id) != nil
        guard member || identity.isHubAdmin else { throw APIError.notFound("tenant", id: idOrSlug) }
        let audit = AuditEvent(
            tenantID: tenant.id, actor: identity.email, action: "session.switch_tenant", target: "session:\(session)",
            detail: ["from": identity.tenantID], sourceAddress: requester.sourceAddress)
        guard try await store.switchSession(id: session, to: tenant.id, audit: audit, at: clock.now) else {
            throw APIError.unauthenticated
        }
        return tenant
    }

    func tenants(of requester: Requester) async throws -> [Wire.Tenant.Info] {
        let mine = try await store.tenants(of: requester.identity.userID)
        var shown = mine.map { Self.info($0.tenant, role: $0.role) }
        if requester.identity.isHubAdmin {
            let known = Set(shown.map(\.id))
            shown += try await store.allTenants().filter { !known.contains($0.id) }.map { Self.info($0, role: .owner) }
        }
        return shown
    }

    func createTenant(_ body: Wire.Tenant.Request, by requester: Requester) async throws -> Wire.Tenant.Info {
        let name = (body.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let slug = body.slug ?? ""
        var problems = Self.tenantProblems(body)
        if name.isEmpty { problems.append(.init(field: "name", message: "is required")) }
        if body.slug == nil { problems.append(.init(field: "slug", message: "is required")) }
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        let tenant = TenantRecord(
            id: UUID().uuidString.lowercased(), name: name, slug: slug, maxUsers: body.maxUsers,
            requireTwoFactor: body.requireTwoFactor ?? false, createdAt: clock.now)
        let audit = requester.audit("tenant.create", target: "tenant:\(tenant.id)", detail: ["slug": slug])
        guard try await store.createTenant(tenant, audit: audit) else {
            throw APIError(.conflict, code: "slug_taken", detail: "a tenant with the slug \(slug) exists")
        }
        return Self.info(tenant, role: .owner)
    }

    /// Renames the tenant or changes its settings. Only the caller's current tenant, unless a hub
    /// administrator names another.
    func updateTenant(_ id: String, _ body: Wire.Tenant.Request, by requester: Requester) async throws -> Wire.Tenant.Info {
        var tenant = try await ownTenant(id, requester)
        var problems = Self.tenantProblems(body)
        if body.slug != nil { problems.append(.init(field: "slug", message: "cannot be changed")) }
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        if let name = body.name?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty { tenant.name = name }
        if let cap = body.maxUsers { tenant.maxUsers = cap == 0 ? nil : cap }
        if let required = body.requireTwoFactor { tenant.requireTwoFactor = required }
        try await store.updateTenant(tenant, audit: requester.audit("tenant.update", target: "tenant:\(tenant.id)"), at: clock.now)
        return Self.info(tenant, role: requester.identity.role)
    }

    func deleteTenant(_ id: String, confirm: String?, by requester: Requester) async throws {
        let tenant = try await ownTenant(id, requester)
        try Self.confirm(confirm, equals: tenant.slug)
        guard tenant.id != Store.defaultTenant else {
            throw APIError(.conflict, code: "default_tenant", detail: "the default tenant cannot be deleted")
        }
        _ = try await store.deleteTenant(
            id: tenant.id, audit: requester.audit("tenant.delete", target: "tenant:\(tenant.id)"), at: clock.now)
    }

    /// The tenant `id` (or slug) when it is the caller's current one, or when the caller is a hub
    /// administrator; otherwise 404, so that other tenants' existence is not revealed.
    private func ownTenant(_ id: String, _ requester: Requester) async throws -> TenantRecord {
        guard let tenant = try await store.tenant(id), tenant.id == requester.identity.tenantID || requester.identity.isHubAdmin else {
            throw APIError.notFound("tenant", id: id)
        }
        return tenant
    }

    // MARK: Helpers

    static func role(_ text: String, field: String) throws -> Role {
        guard let role = Role(rawValue: text) else {
            throw APIError.invalid([.init(field: field, message: "must be viewer, operator, admin or owner")])
        }
        return role
    }

    /// 422 `confirmation_required` unless `given` is exactly `expected`.
    static func confirm(_ given: String?, equals expected: String) throws {
        guard let given, ConstantTime.equals(given, expected) else {
            throw APIError(
                .unprocessableContent, code: "confirmation_required",
                detail: "confirm by sending {\"confirm\": \"\(expected)\"}",
                errors: [.init(field: "confirm", message: "must be \(expected)")])
        }
    }

    static func error(_ refusal: Store.MembershipRefusal, userID: String) -> APIError {
        switch refusal {
        case .lastOwner: APIError(.conflict, code: "last_owner", detail: "the tenant must keep at least one owner")
        case .notFound, .seatLimitReached, .alreadyMember: APIError.notFound("user", id: userID)
        }
    }

    static func hash(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: 12) }
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(where: \.isWhitespace)
    }

    private static func tenantProblems(_ body: Wire.Tenant.Request) -> [Wire.FieldError] {
        var problems: [Wire.FieldError] = []
        if let name = body.name, name.count > maxNameLength {
            problems.append(.init(field: "name", message: "at most \(maxNameLength) characters"))
        }
        if let slug = body.slug, slug.wholeMatch(of: /[a-z0-9][a-z0-9-]{1,62}/) == nil {
            problems.append(.init(field: "slug", message: "2–63 lower-case letters, digits and dashes, starting with a letter or digit"))
        }
        if let cap = body.maxUsers, cap < 0 { problems.append(.init(field: "max_users", message: "must be 0 (no cap) or more")) }
        return problems
    }

    static func info(_ tenant: TenantRecord, role: Role) -> Wire.Tenant.Info {
        .init(
            id: tenant.id, name: tenant.name, slug: tenant.slug, maxUsers: tenant.maxUsers, requireTwoFactor: tenant.requireTwoFactor,
            role: role.rawValue, createdAt: tenant.createdAt)
    }

    static func info(_ invitation: InvitationRecord, now: Date) -> Wire.Invitation.Info {
        let status =
            invitation.acceptedAt != nil
            ? "accepted" : invitation.revokedAt != nil ? "revoked" : invitation.expiresAt <= now ? "expired" : "open"
        return .init(
            id: invitation.id, email: invitation.email, role: invitation.role.rawValue, status: status, createdBy: invitation.createdBy,
            createdAt: invitation.createdAt, expiresAt: invitation.expiresAt)
    }

    static func info(_ token: APITokenRecord) -> Wire.APIToken.Info {
        .init(
            id: token.id, name: token.description, tenantID: token.tenantID, role: token.role?.rawValue, createdAt: token.createdAt,
            expiresAt: token.expiresAt, lastUsedAt: token.lastUsedAt)
    }
}
