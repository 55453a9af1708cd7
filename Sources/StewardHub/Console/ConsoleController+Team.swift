import Foundation
import HTTPTypes
import Hummingbird
import StewardCore

/// The tenant's people and settings: members (roles, disable, remove with typed confirmation),
/// invitations (the link shown once), the tenant's name, seat cap and two-factor rule, and its
/// deletion; and, for hub administrators, the list of tenants. The rules are ``AccountService``'s.
extension ConsoleController {
    /// What a post on the team page brings back to show.
    struct TeamOutcome {
        var notice: String?
        var error: String?
        var inviteEmail = ""
        var inviteError: String?
        var invitationLink: String?
        var invitationMailed = false
        var confirmError: String?
    }

    @Sendable func teamPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        try await renderTeam(context, TeamOutcome())
    }

    struct InviteForm: Decodable {
        var email: String?
        var role: String?
        var _csrf: String?
    }

    @Sendable func invite(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(InviteForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let email = String((form.email ?? "").prefix(SignIn.maxEmailLength + 1))
        do {
            let created = try await accounts.invite(
                .init(email: email, role: form.role ?? "viewer"), baseURL: Self.hubURL(request), by: context.requester)
            return try await renderTeam(
                context,
                TeamOutcome(
                    notice: "\(created.invitation.email) is invited as \(created.invitation.role).",
                    invitationLink: created.acceptURL, invitationMailed: created.mailed))
        } catch let error as APIError where [.unprocessableContent, .conflict, .forbidden].contains(error.status) {
            let message = error.errors.map {
                $0.map { "\($0.field == "email" ? "E-mail" : "Role"): \($0.message)." }.joined(separator: " ")
            }
            return try await renderTeam(
                context, TeamOutcome(inviteEmail: email, inviteError: message ?? error.detail), status: error.status)
        }
    }

    @Sendable func revokeInvitation(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        _ = try await accounts.revokeInvitation(try context.parameters.require("id"), by: context.requester)
        return Self.redirect(to: "/team#invitations")
    }

    struct MemberForm: Decodable {
        var role: String?
        var disabled: String?
        var confirm: String?
        var _csrf: String?
    }

    /// A role change, or disabling/enabling the account (`disabled` = `true`/`false`).
    @Sendable func updateMember(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(MemberForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let id = try context.parameters.require("id")
        return try await memberChange(context) {
            let updated = try await accounts.update(
                userID: id, .init(role: form.role, disabled: form.disabled.map { $0 == "true" }), by: context.requester)
            return "\(updated.email): \(updated.role)\(updated.disabled ? ", disabled" : "")."
        }
    }

    @Sendable func removeMember(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(MemberForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let id = try context.parameters.require("id")
        return try await memberChange(context) {
            try await accounts.remove(userID: id, confirm: form.confirm?.trimmingCharacters(in: .whitespaces), by: context.requester)
            return "The member was removed from this tenant."
        }
    }

    private func memberChange(_ context: ConsoleRequestContext, _ change: () async throws -> String) async throws -> Response {
        do {
            return try await renderTeam(context, TeamOutcome(notice: try await change()))
        } catch let error as APIError where [.unprocessableContent, .conflict, .forbidden].contains(error.status) {
            let message =
                error.code == "confirmation_required" ? "Type the member's e-mail address exactly to remove them." : error.detail
            return try await renderTeam(context, TeamOutcome(error: message), status: error.status)
        }
    }

    struct TenantSettingsForm: Decodable {
        var name: String?
        var max_users: String?
        var require_two_factor: String?
        var _csrf: String?
    }

    @Sendable func saveTenant(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(TenantSettingsForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let cap = (form.max_users ?? "").trimmingCharacters(in: .whitespaces)
        guard cap.isEmpty || Int(cap) != nil else {
            return try await renderTeam(
                context, TeamOutcome(error: "Seats: a whole number, or empty for no cap."), status: .unprocessableContent)
        }
        do {
            _ = try await accounts.updateTenant(
                context.identity.tenantID,
                .init(name: form.name, maxUsers: cap.isEmpty ? 0 : Int(cap), requireTwoFactor: form.require_two_factor == "true"),
                by: context.requester)
            return try await renderTeam(context, TeamOutcome(notice: "The tenant's settings were saved."))
        } catch let error as APIError where error.status == .unprocessableContent {
            let message = (error.errors ?? []).map { "\($0.field): \($0.message)." }.joined(separator: " ")
            return try await renderTeam(context, TeamOutcome(error: message), status: .unprocessableContent)
        }
    }

    @Sendable func deleteTenant(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(MemberForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        do {
            try await accounts.deleteTenant(
                context.identity.tenantID, confirm: form.confirm?.trimmingCharacters(in: .whitespaces), by: context.requester)
        } catch let error as APIError where [.unprocessableContent, .conflict].contains(error.status) {
            let message = error.code == "confirmation_required" ? "Type the tenant's slug exactly to delete it." : error.detail
            return try await renderTeam(context, TeamOutcome(confirmError: message), status: error.status)
        }
        // The session belonged to the deleted tenant and has ended with it.
        return Self.redirect(to: "/login")
    }

    func renderTeam(_ context: ConsoleRequestContext, _ outcome: TeamOutcome, status: HTTPResponse.Status = .ok) async throws -> Response {
        let requester = context.requester
        let identity = context.identity
        let assignable = Role.allCases.filter { $0 < .admin || identity.allows(.manageAdmins) }
        let members = try await accounts.users(of: requester).map { user in
            let role = Role(rawValue: user.role) ?? .viewer
            let changeable = user.id != identity.userID && (role < .admin || identity.allows(.manageAdmins))
            return ConsolePages.MemberRow(
                id: user.id, email: user.email, name: user.name, role: user.role, disabled: user.disabled,
                isSelf: user.id == identity.userID,
                roles: assignable.map { .init(value: $0.rawValue, label: $0.rawValue, selected: $0 == role) }, canChangeRole: changeable,
                canDisable: changeable, canRemove: changeable)
        }
        let invitations = try await accounts.invitations(of: requester).map {
            ConsolePages.InvitationRow(
                id: $0.id, email: $0.email, role: $0.role, status: $0.status,
                expires: $0.expiresAt.formatted(date: .abbreviated, time: .shortened), open: $0.status == "open")
        }
        guard let tenant = try await store.tenant(identity.tenantID) else { throw APIError.notFound("tenant", id: identity.tenantID) }
        var chrome = chrome(context)
        chrome.navTeam = true
        let page = ConsolePages.Team(
            chrome: chrome, csrf: context.session.csrfToken, notice: outcome.notice, error: outcome.error, members: members,
            inviteEmail: outcome.inviteEmail,
            inviteRoles: assignable.map { .init(value: $0.rawValue, label: $0.rawValue, selected: $0 == .viewer) },
            inviteError: outcome.inviteError, invitationLink: outcome.invitationLink, invitationMailed: outcome.invitationMailed,
            invitations: invitations, hasInvitations: !invitations.isEmpty,
            tenant: .init(
                id: tenant.id, name: tenant.name, slug: tenant.slug, maxUsers: tenant.maxUsers.map(String.init) ?? "",
                requireTwoFactor: tenant.requireTwoFactor, canEdit: identity.allows(.manageTenant),
                canDelete: identity.allows(.deleteTenant) && tenant.id != Store.defaultTenant, confirmError: outcome.confirmError))
        return try render(page, "team", status: status)
    }

    // MARK: Tenants (hub administrators)

    @Sendable func tenantsPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        try await renderTenants(context, name: "", slug: "", errors: [])
    }

    struct TenantForm: Decodable {
        var name: String?
        var slug: String?
        var _csrf: String?
    }

    @Sendable func createTenant(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(TenantForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let name = String((form.name ?? "").prefix(AccountService.maxNameLength + 1))
        let slug = String((form.slug ?? "").prefix(100))
        do {
            _ = try await accounts.createTenant(.init(name: name, slug: slug), by: context.requester)
            return Self.redirect(to: "/tenants")
        } catch let error as APIError where [.unprocessableContent, .conflict].contains(error.status) {
            let messages = error.errors.map { $0.map { "\($0.field == "name" ? "Name" : "Slug"): \($0.message)." } } ?? [error.detail]
            return try await renderTenants(context, name: name, slug: slug, errors: messages, status: error.status)
        }
    }

    private func renderTenants(
        _ context: ConsoleRequestContext, name: String, slug: String, errors: [String], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let rows = try await accounts.tenants(of: context.requester).map {
            ConsolePages.TenantRow(id: $0.id, name: $0.name, slug: $0.slug, role: $0.role, current: $0.id == context.identity.tenantID)
        }
        var chrome = chrome(context)
        chrome.navTenants = true
        return try render(
            ConsolePages.Tenants(
                chrome: chrome, csrf: context.session.csrfToken, rows: rows, name: name, slug: slug, errors: errors,
                hasErrors: !errors.isEmpty), "tenants", status: status)
    }
}
