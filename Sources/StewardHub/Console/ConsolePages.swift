import Foundation
import StewardCore

/// What the console's templates render. Mustache reads these by reflection, so each property is a
/// template variable; values are escaped when rendered.
enum ConsolePages {
    /// What every signed-in page's layout needs: the navigation (only what the role may use), who
    /// is signed in, and the tenant switcher.
    struct Chrome {
        var csrf: String
        var email: String
        var navServers = false
        var navEnroll = false
        var navJobs = false
        var navRollouts = false
        var navSchedules = false
        var navApps = false
        var navAudit = false
        var navAlerts = false
        var navTeam = false
        var navTenants = false
        var navAccount = false
        var can: Abilities
        var tenantName: String
        /// The other tenants the user may switch to; the switcher shows when there is any.
        var otherTenants: [Option]
        var hasOtherTenants: Bool
        /// What operators should know about the hub's license, on every page.
        var licenseNotice: String?

        init(_ context: ConsoleRequestContext) {
            csrf = context.session.csrfToken
            email = context.identity.email
            can = Abilities(context.identity)
            tenantName = context.tenants.first { $0.id == context.identity.tenantID }?.name ?? context.identity.tenantID
            otherTenants = context.tenants.filter { $0.id != context.identity.tenantID }.map {
                Option(value: $0.slug, label: $0.name, selected: false)
            }
            hasOtherTenants = !otherTenants.isEmpty
            licenseNotice = context.licenseNotice
        }
    }

    /// What the signed-in user's role allows, for showing only the links, buttons and forms that work
    /// (``RoutePermissions`` still decides every request).
    struct Abilities {
        var runJobs: Bool
        var editServers: Bool
        var decommission: Bool
        var enroll: Bool
        var manageUsers: Bool
        var manageTenant: Bool
        var manageAdmins: Bool
        var deleteTenant: Bool
        var administerHub: Bool
        var acknowledgeAlerts: Bool
        var manageAlerts: Bool

        init(_ identity: OperatorIdentity) {
            runJobs = identity.allows(.runJobs)
            editServers = identity.allows(.editServers)
            decommission = identity.allows(.decommissionServers)
            enroll = identity.allows(.enrollServers)
            manageUsers = identity.allows(.manageUsers)
            manageTenant = identity.allows(.manageTenant)
            manageAdmins = identity.allows(.manageAdmins)
            deleteTenant = identity.allows(.deleteTenant)
            administerHub = identity.allows(.administerHub)
            acknowledgeAlerts = identity.allows(.acknowledgeAlerts)
            manageAlerts = identity.allows(.manageAlerts)
        }
    }

    struct Login {
        let title = "Sign in"
        var loginToken: String
        var next: String
        var email: String
        var error: String?
    }

    struct Accept {
        let title = "Join Steward"
        var formToken: String
        var token: String
        var name: String
        var error: String?
    }

    struct ServerRow {
        var id: String
        var name: String
        var status: String
        var labels: [String]
        var os: String
        var agentVersion: String
        var lastSeen: String
        var lastSeenISO: String

        init(_ server: Wire.Server.Info) {
            id = server.id
            name = server.name
            status = server.status.rawValue
            labels = server.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            os = "\(server.facts.osID) \(server.facts.osVersion)"
            agentVersion = server.agentVersion
            lastSeen = server.lastSeenAt.map { ConsolePages.ago($0) } ?? "never"
            lastSeenISO = server.lastSeenAt?.formatted(.iso8601) ?? ""
        }
    }

    struct Servers {
        let title = "Servers"
        var chrome: Chrome
        var servers: [ServerRow]
        var hasServers: Bool
    }

    struct Fact {
        var name: String
        var value: String
    }

    struct JobRow {
        var id: String
        var shortID: String
        var app: String
        var kind: String
        var status: String
        var attempt: String
        var created: String

        init(_ job: Wire.Job.Info) {
            id = job.id
            shortID = String(job.id.prefix(8))
            app = job.appID ?? ""
            kind = job.kind
            status = job.status.rawValue
            attempt = "\(job.attempt)/\(job.maxAttempts)"
            created = ConsolePages.ago(job.createdAt)
        }
    }

    struct Server {
        var title: String
        var chrome: Chrome
        var server: ServerRow
        var facts: [Fact]
        var labelsText: String
        var labelsError: String?
        var confirmError: String?
        var notice: String?
        var jobs: [JobRow]
        var hasJobs: Bool
        var charts: [Chart]
        var hasCharts: Bool
        var ranges: [Option]
        var range: String
        var containers: [ContainerRow]
        var hasContainers: Bool
        var installations: [InstallationRow]
        var hasInstallations: Bool
    }

    /// A Docker container on a server's page; its buttons queue `container` steps.
    struct ContainerRow {
        var name: String
        var image: String
        var state: String
        var health: String?
        var restarts: Int
        var status: String
        var csrf: String
        var serverID: String
        var canAct: Bool
        var running: Bool
    }

    /// One of a server's metric charts: the SVG the hub drew, and its legend.
    struct Chart {
        var title: String
        /// Drawn by ``MetricsChart``, every text in it escaped: placed in the page as it is.
        var svg: String
        var hasData: Bool
        var legend: [LegendEntry]
    }

    struct LegendEntry {
        var label: String
        var colour: String
    }

    struct Enroll {
        let title = "Enroll a server"
        var chrome: Chrome
        var csrf: String
        var created: Created?
        var form: TokenForm
        var errors: TokenErrors
        var expiryOptions: [Option]
        var tokens: [TokenRow]
        var hasTokens: Bool
    }

    struct Created {
        var token: String
        /// The hub key's fingerprint that both commands pin (`--hub-key`).
        var hubKey: String
        var command: String
        /// The one-line installer (`curl … /install.sh | STEWARD_TOKEN=… sh`).
        var installer: String
    }

    /// The values of the token form as typed, kept when it comes back with errors.
    struct TokenForm {
        var description = ""
        var expires = "86400"
        var maxUses = "1"
        var labels = ""
    }

    struct TokenErrors {
        var description: String?
        var maxUses: String?
        var labels: String?
    }

    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    struct TokenRow {
        var id: String
        var shortID: String
        var description: String
        var status: String
        var uses: String
        var labels: [String]
        var expires: String
        var active: Bool
        var csrf: String

        init(_ token: Wire.RegistrationToken.Info, csrf: String) {
            id = token.id
            shortID = String(token.id.prefix(8))
            description = token.description
            status = token.status.rawValue
            uses = token.maxUses == 0 ? "\(token.uses) (no limit)" : "\(token.uses) of \(token.maxUses)"
            labels = token.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            expires = token.expiresAt?.formatted(date: .abbreviated, time: .shortened) ?? "never"
            active = token.status == .active
            self.csrf = csrf
        }
    }

    struct AppSummary {
        var id: String
        var name: String
        var version: String
        var description: String
    }

    struct Category {
        var name: String
        var apps: [AppSummary]
    }

    struct Apps {
        let title = "Apps"
        var chrome: Chrome
        var query: String
        var categories: [Category]
    }

    /// One input of an app's install form, as its type asks to be shown.
    struct Field {
        var name: String
        var label: String
        var help: String?
        var required: Bool
        var isCheckbox = false
        var isTextarea = false
        var isSelect = false
        var isInput = false
        var inputType = "text"
        var autocomplete: String?
        var min: String?
        var max: String?
        var value: String
        var checked = false
        var options: [Option] = []
        var generate = false
        /// The `visible_if` conditions as JSON, for console.js.
        var visibleIf: String?
        var error: String?
        var describedBy: String?
    }

    struct Problems {
        var list: [String]
    }

    struct App {
        var title: String
        var chrome: Chrome
        var csrf: String
        var id: String
        var name: String
        var version: String
        var description: String
        var requirements: [String]
        var servers: [ServerOption]
        var hasServers: Bool
        var serverError: String?
        var fields: [Field]
        var problems: Problems?
    }

    struct ServerOption {
        var value: String
        var label: String
        var selected: Bool
        var disabled: Bool
    }

    struct AuditRow {
        var when: String
        var iso: String
        var actor: String
        var action: String
        var target: String
        var detail: String
        var source: String
    }

    struct Audit {
        let title = "Audit log"
        var chrome: Chrome
        var actor: String
        var action: String
        var filtered: Bool
        var entries: [AuditRow]
        var hasEntries: Bool
        var older: String?
    }

    struct Jobs {
        let title = "Jobs"
        var chrome: Chrome
        var statusOptions: [Option]
        var app: String
        var server: String
        var filtered: Bool
        var jobs: [JobRow]
        var hasJobs: Bool
    }

    struct StepRow {
        var number: Int
        var summary: String
        var result: String
    }

    struct Job {
        var title: String
        var chrome: Chrome
        var csrf: String
        var id: String
        var heading: String
        var status: String
        var facts: [Fact]
        var outputs: [Fact]
        var hasOutputs: Bool
        var steps: [StepRow]
        var hasSteps: Bool
        var canCancel: Bool
        var canRetry: Bool
        /// The end of the log, and the byte offset it ends at (where the live stream starts).
        var log: String
        var offset: Int64
        var live: Bool
        var truncated: Bool
        var shownBytes: String
        var totalBytes: String
    }

    struct ErrorPage {
        var title: String
        var chrome: Chrome?
        var heading: String
        var message: String
    }

    /// "12 s ago", "3 min ago", "5 h ago", or the date for older times.
    static func ago(_ date: Date, now: Date = Date()) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "\(seconds) s ago"
        case ..<3600: return "\(seconds / 60) min ago"
        case ..<86_400: return "\(seconds / 3600) h ago"
        default: return date.formatted(date: .abbreviated, time: .omitted)
        }
    }
}
