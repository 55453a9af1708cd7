import Foundation
import StewardCore

/// What the account, team and tenants pages render.
extension ConsolePages {
    struct Account {
        let title = "Your account"
        var chrome: Chrome
        var csrf: String
        var name: String
        var email: String
        var role: String
        var tenant: String
        var notice: String?
        var twoFactorRequired: Bool
        var password: PasswordCard
        var twoFactor: TwoFactorCard
        var tokens: TokensCard
        var sessions: [SessionRow]
        var signIns: [AuditRow]
        var hasSignIns: Bool
    }

    struct PasswordCard {
        var currentError: String?
        var newError: String?
    }

    struct TwoFactorCard {
        var on: Bool
        var since: String
        var backupCodesLeft: Int
        var setup: TwoFactorSetup?
        /// New backup codes, shown once.
        var backupCodes: [String]?
        var hasBackupCodes: Bool
        var error: String?
    }

    struct TwoFactorSetup {
        /// Drawn by ``QRCode`` from the hub's own data: safe to place in the page as it is.
        var svg: String
        var secret: String
        var uri: String
    }

    struct TokensCard {
        var roles: [Option]
        var expiries: [Option]
        var error: String?
        /// A new token's value, shown once.
        var created: String?
        var rows: [TokenInfoRow]
        var hasRows: Bool
    }

    struct TokenInfoRow {
        var id: String
        var name: String
        var role: String
        var created: String
        var lastUsed: String
        var expires: String

        init(_ token: Wire.APIToken.Info) {
            id = token.id
            name = token.name.isEmpty ? "(no name)" : token.name
            role = token.role ?? ""
            created = ConsolePages.ago(token.createdAt)
            lastUsed = token.lastUsedAt.map { ConsolePages.ago($0) } ?? "never"
            expires = token.expiresAt?.formatted(date: .abbreviated, time: .shortened) ?? "never"
        }
    }

    struct SessionRow {
        var id: String
        var address: String
        var browser: String
        var created: String
        var lastUsed: String
        var current: Bool
    }

    struct Team {
        let title = "Team"
        var chrome: Chrome
        var csrf: String
        var notice: String?
        var error: String?
        var members: [MemberRow]
        var inviteEmail: String
        var inviteRoles: [Option]
        var inviteError: String?
        /// A new invitation's link, shown once (and e-mailed when the hub can send mail).
        var invitationLink: String?
        var invitationMailed: Bool
        var invitations: [InvitationRow]
        var hasInvitations: Bool
        var tenant: TenantCard
    }

    struct MemberRow {
        var id: String
        var email: String
        var name: String
        var role: String
        var disabled: Bool
        var isSelf: Bool
        /// Roles the caller may give this member; empty when the caller may not change it.
        var roles: [Option]
        var canChangeRole: Bool
        var canDisable: Bool
        var canRemove: Bool
    }

    struct InvitationRow {
        var id: String
        var email: String
        var role: String
        var status: String
        var expires: String
        var open: Bool
    }

    struct TenantCard {
        var id: String
        var name: String
        var slug: String
        var maxUsers: String
        var requireTwoFactor: Bool
        var canEdit: Bool
        var canDelete: Bool
        var confirmError: String?
    }

    struct Tenants {
        let title = "Tenants"
        var chrome: Chrome
        var csrf: String
        var rows: [TenantRow]
        var name: String
        var slug: String
        var errors: [String]
        var hasErrors: Bool
    }

    struct TenantRow {
        var id: String
        var name: String
        var slug: String
        var role: String
        var current: Bool
    }
}
