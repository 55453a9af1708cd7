import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import Mustache
import NIOCore
import NIOPosix
import StewardCore

/// The web console: server-rendered pages for signed-in operators, sign-in and sign-out.
///
/// Every form post carries the session's CSRF token (the sign-in form a token of its own, in a
/// cookie); a post without the right one gets 403 and changes nothing.
struct ConsoleController {
    let store: Store
    let events: EventBus
    let jobs: JobController
    let catalog: AppCatalog
    let heartbeatInterval: Int
    let templates: MustacheLibrary
    let addressLimiter = RateLimiter(capacity: 10, period: 60)
    let accountLimiter = RateLimiter(capacity: 5, period: 60)

    static let loginCookie = "steward_login"

    /// `public` gets the sign-in pages and assets; `signedIn` the pages that need an operator.
    func addRoutes(public open: RouterGroup<HubRequestContext>, signedIn: RouterGroup<ConsoleRequestContext>) {
        open.get("assets/console.css") { _, _ in Self.asset(ConsoleAssets.stylesheet, type: "text/css; charset=utf-8") }
        open.get("assets/console.js") { _, _ in Self.asset(ConsoleAssets.script, type: "text/javascript; charset=utf-8") }
        open.get("login", use: loginPage)
        open.post("login", use: login)
        signedIn.get { _, _ in Response(status: .seeOther, headers: [.location: "/servers"]) }
        signedIn.post("logout", use: logout)
        signedIn.get("servers", use: servers)
        signedIn.get("servers/:id", use: server)
        signedIn.post("servers/:id/labels", use: saveLabels)
        signedIn.post("servers/:id/decommission", use: decommission)
        signedIn.get("apps", use: appList)
        signedIn.get("apps/:id", use: appPage)
        signedIn.post("apps/:id/install", use: install)
        signedIn.get("jobs", use: jobList)
        signedIn.get("jobs/:id", use: jobPage)
        signedIn.get("jobs/:id/log.txt", use: jobLog)
        signedIn.get("console/jobs/:id/follow", use: followJob)
        signedIn.post("jobs/:id/cancel", use: cancelJob)
        signedIn.post("jobs/:id/retry", use: retryJob)
        signedIn.get("audit", use: auditLog)
        signedIn.get("enroll", use: enrollPage)
        signedIn.post("enroll", use: createToken)
        signedIn.post("enroll/:id/revoke", use: revokeToken)
        EventsController(events: events).addRoutes(to: signedIn.group("console/events"))
    }

    // MARK: Sign-in

    @Sendable func loginPage(request: Request, context: HubRequestContext) async throws -> Response {
        if context.session != nil { return Self.redirect(to: "/servers") }
        return try renderLogin(next: request.uri.queryParameters["next"].map(String.init) ?? "", email: "", error: nil, status: .ok)
    }

    struct LoginForm: Decodable {
        var email: String?
        var password: String?
        var next: String?
        var _csrf: String?
    }

    @Sendable func login(request: Request, context: HubRequestContext) async throws -> Response {
        let form = try await Self.form(LoginForm.self, from: request, context: context)
        let email = (form.email ?? "").trimmingCharacters(in: .whitespaces)
        let next = form.next ?? ""
        guard let expected = request.cookies[Self.loginCookie]?.value, let given = form._csrf, ConstantTime.equals(expected, given) else {
            return try renderError(403, "The form has expired", "Reload the sign-in page and try again.", chrome: nil)
        }
        var wait = await addressLimiter.acquire(context.sourceAddress)
        if wait == nil { wait = await accountLimiter.acquire(email.lowercased()) }
        if let wait {
            try await store.recordAudit(
                AuditEvent(
                    tenantID: Store.defaultTenant, actor: email, action: "console.login_throttled", target: "user:\(email)",
                    sourceAddress: context.sourceAddress), at: Date())
            var response = try renderLogin(
                next: next, email: email, error: "Too many sign-in attempts. Try again in \(wait) s.", status: .tooManyRequests)
            response.headers[.retryAfter] = String(wait)
            return response
        }
        let user = try await store.user(email: email)
        let password = form.password ?? ""
        // The same bcrypt work whether or not the account exists, off the event loop.
        let hash = user?.passwordHash ?? Self.decoyHash
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
        guard let user, matches else {
            try await store.recordAudit(
                AuditEvent(
                    tenantID: user?.tenantID ?? Store.defaultTenant, actor: email, action: "console.login_failed",
                    target: "user:\(email)", sourceAddress: context.sourceAddress), at: Date())
            return try renderLogin(next: next, email: email, error: "The e-mail or the password is not right.", status: .unauthorized)
        }
        let token = SecretToken.generate(.session)
        let digest = SecretToken.Digest(of: token)
        let now = Date()
        let session = SessionRecord(
            id: digest.lookupKey, tenantID: user.tenantID, userID: user.id, tokenHash: digest.hash,
            csrfToken: SecretToken.randomBase64URL(byteCount: 32), sourceAddress: context.sourceAddress, createdAt: now,
            expiresAt: now.addingTimeInterval(ConsoleSessionMiddleware.lifetime))
        try await store.createSession(
            session,
            audit: AuditEvent(
                tenantID: user.tenantID, actor: user.email, action: "console.login", target: "user:\(user.id)",
                sourceAddress: context.sourceAddress))
        var response = Self.redirect(to: Self.safeNext(next))
        response.setCookie(
            Cookie(
                name: ConsoleSessionMiddleware.cookieName, value: token, maxAge: Int(ConsoleSessionMiddleware.lifetime), path: "/",
                secure: Self.isSecure(request), httpOnly: true, sameSite: .strict))
        response.setCookie(Cookie(name: Self.loginCookie, value: "", maxAge: 0, path: "/login", httpOnly: true, sameSite: .strict))
        return response
    }

    /// A form that carries nothing but its CSRF token.
    struct PlainForm: Decodable {
        var _csrf: String?
    }

    @Sendable func logout(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        try await store.deleteSession(
            id: context.session.id, audit: context.audit("console.logout", target: "user:\(context.identity.userID)"), at: Date())
        var response = Self.redirect(to: "/login")
        response.setCookie(
            Cookie(name: ConsoleSessionMiddleware.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    // MARK: Fleet

    @Sendable func servers(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let now = Date()
        let rows = try await store.servers(tenantID: context.identity.tenantID).map {
            ConsolePages.ServerRow($0.info(at: now, heartbeatInterval: heartbeatInterval))
        }
        let page = ConsolePages.Servers(chrome: chrome(context, servers: true), servers: rows, hasServers: !rows.isEmpty)
        if request.uri.queryParameters["fragment"] == "rows" { return try render(page, "server-rows") }
        return try render(page, "servers")
    }

    @Sendable func server(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let saved = request.uri.queryParameters["saved"] == "labels"
        return try await serverPage(try context.parameters.require("id"), context: context, notice: saved ? "Labels saved." : nil)
    }

    struct LabelsForm: Decodable {
        var labels: String?
        var _csrf: String?
    }

    @Sendable func saveLabels(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(LabelsForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let id = try context.parameters.require("id")
        let text = form.labels ?? ""
        let (labels, problem) = Self.parseLabels(text)
        if let problem {
            return try await serverPage(id, context: context, labelsText: text, labelsError: problem, status: .unprocessableContent)
        }
        guard let current = try await store.server(id: id, tenantID: context.identity.tenantID) else { return try notFound(context) }
        guard
            try await store.updateServer(
                id: id, tenantID: context.identity.tenantID, name: current.name, labels: labels, at: Date(),
                audit: context.audit(
                    "server.update", target: "server:\(id)", detail: ["labels": labels.keys.sorted().joined(separator: ",")]))
                != nil
        else { return try notFound(context) }
        return Self.redirect(to: "/servers/\(id)?saved=labels")
    }

    struct DecommissionForm: Decodable {
        var confirm: String?
        var _csrf: String?
    }

    @Sendable func decommission(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(DecommissionForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let id = try context.parameters.require("id")
        guard let server = try await store.server(id: id, tenantID: context.identity.tenantID) else { return try notFound(context) }
        let confirm = form.confirm ?? ""
        guard confirm.trimmingCharacters(in: .whitespaces) == server.name else {
            return try await serverPage(
                id, context: context, confirmError: "Type \(server.name) exactly to confirm.", status: .unprocessableContent)
        }
        guard
            let cancelled = try await store.decommissionServer(
                id: id, tenantID: context.identity.tenantID, at: Date(), audit: context.audit("server.decommission", target: "server:\(id)")
            )
        else { return try notFound(context) }
        await events.publish(cancelled.map(\.statusEvent))
        await events.publish(server.event(.serverRemoved))
        return Self.redirect(to: "/servers")
    }

    // MARK: Apps

    @Sendable func appList(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let query = request.uri.queryParameters["q"].map(String.init) ?? ""
        let found = catalog.search(query: query, category: nil)
        let categories = Dictionary(grouping: found, by: \.manifest.category).sorted { $0.key < $1.key }.map { category, apps in
            ConsolePages.Category(
                name: category.replacingOccurrences(of: "-", with: " ").capitalized,
                apps: apps.map(\.manifest).sorted { $0.name < $1.name }.map {
                    ConsolePages.AppSummary(id: $0.id, name: $0.name, version: $0.version, description: $0.description)
                })
        }
        var chrome = chrome(context)
        chrome.navApps = true
        return try render(ConsolePages.Apps(chrome: chrome, query: query, categories: categories), "apps")
    }

    @Sendable func appPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let app = catalog.app(id: id) else { return try notFound(context, what: "app") }
        let preselected = request.uri.queryParameters["server"].map(String.init)
        return try await renderApp(app.manifest, context: context, values: [:], serverID: preselected)
    }

    @Sendable func install(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let manifest = catalog.app(id: id)?.manifest else { return try notFound(context, what: "app") }
        let form = try await Self.form([String: String].self, from: request, context: context)
        guard Self.validCSRF(form["_csrf"], context) else { return try renderCSRFError(context) }
        let serverID = form["server_id"] ?? ""
        var inputs: [String: InputValue] = [:]
        for input in manifest.inputs {
            let given = form[input.name] ?? ""
            if input.type == .boolean {
                // An unticked box is not sent; an input it controls may be hidden (and so not sent either).
                inputs[input.name] = .text(given == "true" ? "true" : "false")
            } else if !given.isEmpty {
                inputs[input.name] = .text(given)
            }
        }
        do {
            let job = try await jobs.queue("install", appID: id, body: .init(serverID: serverID, inputs: inputs), context: context)
            return Self.redirect(to: "/jobs/\(job.id)")
        } catch let error as APIError {
            var fieldErrors: [String: String] = [:]
            var problems: [String] = []
            for problem in error.errors ?? [] {
                if problem.field == "server_id" || manifest.input(named: problem.field) != nil {
                    fieldErrors[problem.field] = problem.message
                } else {
                    problems.append("\(problem.field): \(problem.message)")
                }
            }
            if error.errors == nil { problems.append(error.detail) }
            // Typed values come back; passwords do not.
            let kept = form.filter { key, _ in manifest.input(named: key).map { $0.type != .password } ?? false }
            return try await renderApp(
                manifest, context: context, values: kept, serverID: serverID, errors: fieldErrors, problems: problems,
                status: HTTPResponse.Status(code: Int(error.status.code)))
        }
    }

    private func renderApp(
        _ manifest: Manifest, context: ConsoleRequestContext, values: [String: String], serverID: String?,
        errors: [String: String] = [:], problems: [String] = [], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let now = Date()
        let servers = try await store.servers(tenantID: context.identity.tenantID).map { record in
            let info = record.info(at: now, heartbeatInterval: heartbeatInterval)
            let reason = JobController.incompatibility(manifest, facts: info.facts)
            let label = "\(info.name) (\(info.facts.osID) \(info.facts.osVersion), \(info.status.rawValue))"
            return ConsolePages.ServerOption(
                value: info.id, label: reason.map { "\(label) — cannot run it: \($0)" } ?? label, selected: info.id == serverID,
                disabled: reason != nil)
        }
        var requirements: [String] = []
        if let os = manifest.osRequirements {
            let family = os.family.isEmpty ? "any Linux" : os.family.joined(separator: " or ")
            requirements.append("Runs on \(family)" + (os.minVersion.map { " \($0) or later" } ?? "") + ".")
        }
        if !manifest.requires.isEmpty {
            requirements.append("Needs \(manifest.requires.joined(separator: ", ")); what a server lacks is installed first.")
        }
        let fields = manifest.inputs.map { Self.field(for: $0, value: values[$0.name], error: errors[$0.name], submitted: !values.isEmpty) }
        var chrome = chrome(context)
        chrome.navApps = true
        let page = ConsolePages.App(
            title: manifest.name, chrome: chrome, csrf: context.session.csrfToken, id: manifest.id, name: manifest.name,
            version: manifest.version, description: manifest.description, requirements: requirements, servers: servers,
            hasServers: !servers.isEmpty, serverError: errors["server_id"], fields: fields,
            problems: problems.isEmpty ? nil : .init(list: problems))
        return try render(page, "app", status: status)
    }

    /// The form control an input's type asks for, with its default or the value typed before.
    static func field(for input: InputSpec, value: String?, error: String?, submitted: Bool) -> ConsolePages.Field {
        var field = ConsolePages.Field(
            name: input.name, label: input.label, help: input.help, required: input.required, value: value ?? input.defaultValue ?? "",
            error: error)
        switch input.type {
        case .boolean:
            field.isCheckbox = true
            let current = submitted ? (value ?? "false") : (input.defaultValue ?? "false")
            field.checked = ["true", "yes", "on", "1"].contains(current.lowercased())
        case .text:
            field.isTextarea = true
        case .select:
            field.isSelect = true
            let choices =
                input.options.isEmpty ? (input.rules.allowedValues ?? []).map { ($0, $0) } : input.options.map { ($0.value, $0.label) }
            field.options = choices.map { ConsolePages.Option(value: $0.0, label: $0.1, selected: $0.0 == field.value) }
        case .password:
            field.isInput = true
            field.inputType = "password"
            field.autocomplete = "new-password"
            field.value = ""
            field.generate = input.generateLength != nil
        case .integer, .port:
            field.isInput = true
            field.inputType = "number"
            field.min = (input.type == .port ? 1 : input.rules.min).map(String.init)
            field.max = (input.type == .port ? 65535 : input.rules.max).map(String.init)
        case .email:
            field.isInput = true
            field.inputType = "email"
        case .url:
            field.isInput = true
            field.inputType = "url"
        case .string, .domain:
            field.isInput = true
        }
        if !input.visibleIf.isEmpty, let json = try? JSONSerialization.data(withJSONObject: input.visibleIf, options: [.sortedKeys]) {
            field.visibleIf = String(decoding: json, as: UTF8.self)
        }
        let described = [
            field.help.map { _ in "help-\(input.name)" }, field.generate ? "generate-\(input.name)" : nil,
            error.map { _ in "error-\(input.name)" },
        ].compactMap { $0 }
        field.describedBy = described.isEmpty ? nil : described.joined(separator: " ")
        return field
    }

    // MARK: Jobs

    @Sendable func jobList(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let status = query["status"].flatMap { Wire.Job.Status(rawValue: String($0)) }
        let app = query["app"].map(String.init) ?? ""
        let server = query["server"].map(String.init) ?? ""
        let rows = try await store.jobs(
            tenantID: context.identity.tenantID, serverID: server.isEmpty ? nil : server, status: status, appID: app.isEmpty ? nil : app,
            limit: 200
        ).map { ConsolePages.JobRow($0.info) }
        let options =
            [ConsolePages.Option(value: "", label: "any", selected: status == nil)]
            + Wire.Job.Status.allCases.map { ConsolePages.Option(value: $0.rawValue, label: $0.rawValue, selected: $0 == status) }
        var chrome = chrome(context)
        chrome.navJobs = true
        let page = ConsolePages.Jobs(
            chrome: chrome, statusOptions: options, app: app, server: server, filtered: status != nil || !app.isEmpty || !server.isEmpty,
            jobs: rows, hasJobs: !rows.isEmpty)
        return try render(page, "jobs")
    }

    /// How much of a log the job page shows; the rest is a download away.
    static let logTailBytes: Int64 = 64 * 1024

    @Sendable func jobPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        guard let job = try await ownJob(context) else { return try notFound(context, what: "job") }
        let info = job.info
        let log = try await store.log(jobID: job.id, offset: nil, tail: Self.logTailBytes)
        var facts: [ConsolePages.Fact] = [
            .init(name: "Kind", value: info.kind), .init(name: "Server", value: info.serverID),
            .init(name: "Attempt", value: "\(info.attempt) of \(info.maxAttempts)"),
            .init(name: "Exit code", value: info.exitCode.map(String.init) ?? "–"),
            .init(name: "Requested by", value: info.requestedBy), .init(name: "Created", value: ConsolePages.ago(info.createdAt)),
        ]
        if let started = info.startedAt { facts.append(.init(name: "Started", value: ConsolePages.ago(started))) }
        if let finished = info.finishedAt, let started = info.startedAt {
            facts.append(.init(name: "Took", value: String(format: "%.1f s", finished.timeIntervalSince(started))))
        }
        if let next = info.nextRunAt { facts.append(.init(name: "Next run", value: next.formatted(date: .omitted, time: .standard))) }
        if let error = info.error { facts.append(.init(name: "Error", value: error)) }
        for (name, value) in info.inputs.sorted(by: { $0.key < $1.key }) { facts.append(.init(name: "Input \(name)", value: value)) }
        let steps = info.steps.enumerated().map { index, step in
            let result = info.stepResults.first { $0.index == index }
            return ConsolePages.StepRow(
                number: index + 1, summary: step.summary,
                result: result.map { "exit \($0.exitCode)" + ($0.error.map { ": \($0)" } ?? "") } ?? "–")
        }
        let outputs = info.outputs.sorted { $0.key < $1.key }.map { ConsolePages.Fact(name: $0.key, value: $0.value) }
        let shown = Int64(log.utf8.count)
        let page = ConsolePages.Job(
            title: "Job \(info.id.prefix(8))", chrome: chrome(context), csrf: context.session.csrfToken, id: info.id,
            heading: [info.appID, info.kind].compactMap { $0 }.joined(separator: " "), status: info.status.rawValue, facts: facts,
            outputs: outputs, hasOutputs: !outputs.isEmpty, steps: steps, hasSteps: !steps.isEmpty, canCancel: !info.status.isFinal,
            canRetry: info.status.isFinal && info.status != .succeeded && info.steps.isEmpty, log: log, offset: job.logBytes,
            live: !info.status.isFinal, truncated: shown < job.logBytes, shownBytes: Self.bytes(shown), totalBytes: Self.bytes(job.logBytes)
        )
        return try render(page, "job")
    }

    @Sendable func jobLog(request: Request, context: ConsoleRequestContext) async throws -> Response {
        guard let job = try await ownJob(context) else { return try notFound(context, what: "job") }
        let text = try await store.log(jobID: job.id, offset: nil, tail: nil)
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; charset=utf-8", .contentDisposition: "attachment; filename=\"job-\(job.id).log\""],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The job's log from `?offset=` on, live, for the job page's EventSource.
    @Sendable func followJob(request: Request, context: ConsoleRequestContext) async throws -> Response {
        guard let job = try await ownJob(context) else { return try notFound(context, what: "job") }
        let offset = request.headers[.lastEventID].flatMap { Int64($0) } ?? request.uri.queryParameters["offset"].flatMap { Int64($0) } ?? 0
        return try await jobs.follow(job, from: max(0, offset))
    }

    @Sendable func cancelJob(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let id = try context.parameters.require("id")
        do {
            _ = try await jobs.cancel(id, context: context)
        } catch let error as APIError {
            return try renderError(Int(error.status.code), "The job was not cancelled", error.detail, chrome: chrome(context))
        }
        return Self.redirect(to: "/jobs/\(id)")
    }

    @Sendable func retryJob(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        guard let job = try await ownJob(context) else { return try notFound(context, what: "job") }
        do {
            _ = try await jobs.retry(job, inputs: [:], context: context)
        } catch let error as APIError {
            let details = (error.errors ?? []).map { "\($0.field): \($0.message)" }.joined(separator: "; ")
            return try renderError(
                Int(error.status.code), "The job was not queued again",
                [error.detail, details].filter { !$0.isEmpty }.joined(separator: " — "), chrome: chrome(context))
        }
        return Self.redirect(to: "/jobs/\(job.id)")
    }

    private func ownJob(_ context: ConsoleRequestContext) async throws -> JobRecord? {
        let id = try context.parameters.require("id")
        guard let job = try await store.job(id: id), job.tenantID == context.identity.tenantID else { return nil }
        return job
    }

    static func bytes(_ count: Int64) -> String {
        count < 1024
            ? "\(count) B"
            : count < 1 << 20 ? String(format: "%.1f KiB", Double(count) / 1024) : String(format: "%.1f MiB", Double(count) / 1_048_576)
    }

    // MARK: Audit

    @Sendable func auditLog(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let actor = query["actor"].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        let action = query["action"].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        let before = query["before"].flatMap { Int64($0) }
        let page = try await store.auditPage(
            tenantID: context.identity.tenantID, before: before, limit: 50, actor: actor.isEmpty ? nil : actor,
            action: action.isEmpty ? nil : action)
        let rows = page.items.map { entry in
            ConsolePages.AuditRow(
                when: entry.createdAt.formatted(date: .abbreviated, time: .standard), iso: entry.createdAt.formatted(.iso8601),
                actor: entry.actor, action: entry.action, target: entry.target,
                detail: entry.detail.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
                source: entry.sourceAddress)
        }
        var older: String?
        if let next = page.nextBefore {
            var items = [URLQueryItem(name: "before", value: String(next))]
            if !actor.isEmpty { items.append(URLQueryItem(name: "actor", value: actor)) }
            if !action.isEmpty { items.append(URLQueryItem(name: "action", value: action)) }
            var components = URLComponents()
            components.path = "/audit"
            components.queryItems = items
            older = components.string
        }
        var chrome = chrome(context)
        chrome.navAudit = true
        return try render(
            ConsolePages.Audit(
                chrome: chrome, actor: actor, action: action, filtered: !actor.isEmpty || !action.isEmpty, entries: rows,
                hasEntries: !rows.isEmpty, older: older), "audit")
    }

    // MARK: Enrollment

    @Sendable func enrollPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        try await renderEnroll(context, form: .init())
    }

    struct TokenFormInput: Decodable {
        var description: String?
        var expires: String?
        var max_uses: String?
        var labels: String?
        var _csrf: String?
    }

    @Sendable func createToken(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let input = try await Self.form(TokenFormInput.self, from: request, context: context)
        guard Self.validCSRF(input._csrf, context) else { return try renderCSRFError(context) }
        let form = ConsolePages.TokenForm(
            description: input.description ?? "", expires: input.expires ?? "86400", maxUses: input.max_uses ?? "1",
            labels: input.labels ?? "")
        var errors = ConsolePages.TokenErrors()
        guard let maxUses = Int(form.maxUses.trimmingCharacters(in: .whitespaces)) else {
            errors.maxUses = "must be a whole number (0 for no limit)"
            return try await renderEnroll(context, form: form, errors: errors, status: .unprocessableContent)
        }
        let (labels, labelsProblem) = Self.parseLabels(form.labels)
        if let labelsProblem {
            errors.labels = labelsProblem
            return try await renderEnroll(context, form: form, errors: errors, status: .unprocessableContent)
        }
        let seconds = Int(form.expires) ?? 86_400
        let body = Wire.RegistrationToken.CreateRequest(
            description: form.description, expiresInSeconds: seconds > 0 ? seconds : nil, maxUses: maxUses, labels: labels)
        do {
            let created = try await RegistrationTokenController.issue(body, store: store, context: context)
            let command = "steward agent --hub \(Self.hubURL(request)) --token \(created.token)"
            return try await renderEnroll(context, form: .init(), created: .init(token: created.token, command: command))
        } catch let error as APIError where error.errors != nil {
            for problem in error.errors ?? [] {
                switch problem.field {
                case "description": errors.description = problem.message
                case "max_uses": errors.maxUses = problem.message
                default: errors.labels = [errors.labels, "\(problem.field): \(problem.message)"].compactMap { $0 }.joined(separator: "; ")
                }
            }
            return try await renderEnroll(context, form: form, errors: errors, status: .unprocessableContent)
        }
    }

    @Sendable func revokeToken(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let id = try context.parameters.require("id")
        _ = try await store.revokeRegistrationToken(
            id: id, tenantID: context.identity.tenantID, at: Date(),
            audit: context.audit("registration_token.revoke", target: "registration_token:\(id)"))
        return Self.redirect(to: "/enroll")
    }

    private func renderEnroll(
        _ context: ConsoleRequestContext, form: ConsolePages.TokenForm, errors: ConsolePages.TokenErrors = .init(),
        created: ConsolePages.Created? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let now = Date()
        let tokens = try await store.registrationTokens(tenantID: context.identity.tenantID).map {
            ConsolePages.TokenRow($0.info(at: now), csrf: context.session.csrfToken)
        }
        let options = [("3600", "in 1 hour"), ("86400", "in 1 day"), ("604800", "in 7 days"), ("2592000", "in 30 days"), ("0", "never")]
            .map { ConsolePages.Option(value: $0.0, label: $0.1, selected: $0.0 == form.expires) }
        var chrome = chrome(context)
        chrome.navEnroll = true
        let page = ConsolePages.Enroll(
            chrome: chrome, csrf: context.session.csrfToken, created: created, form: form, errors: errors, expiryOptions: options,
            tokens: tokens, hasTokens: !tokens.isEmpty)
        return try render(page, "enroll", status: status)
    }

    /// `key=value` lines as labels, or what is wrong with them.
    static func parseLabels(_ text: String) -> (labels: [String: String], problem: String?) {
        var labels: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let equals = line.firstIndex(of: "=") else { return ([:], "“\(line)” is not key=value") }
            labels[line[..<equals].trimmingCharacters(in: .whitespaces)] = line[line.index(after: equals)...].trimmingCharacters(
                in: .whitespaces)
        }
        return (labels, Labels.problems(labels).first?.message)
    }

    /// The hub's address as this browser reached it, for the agent command.
    static func hubURL(_ request: Request) -> String {
        let host = request.head.authority ?? "127.0.0.1:8080"
        return (isSecure(request) ? "https://" : "http://") + host
    }

    private func serverPage(
        _ id: String, context: ConsoleRequestContext, labelsText: String? = nil, labelsError: String? = nil, confirmError: String? = nil,
        notice: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let record = try await store.server(id: id, tenantID: context.identity.tenantID) else { return try notFound(context) }
        let info = record.info(at: Date(), heartbeatInterval: heartbeatInterval)
        let facts = info.facts
        let jobs = try await store.jobs(tenantID: context.identity.tenantID, serverID: id, status: nil, appID: nil, limit: 50)
            .map { ConsolePages.JobRow($0.info) }
        let page = ConsolePages.Server(
            title: info.name, chrome: chrome(context, servers: true), server: ConsolePages.ServerRow(info),
            facts: [
                .init(name: "Hostname", value: info.hostname), .init(name: "OS", value: "\(facts.osID) \(facts.osVersion)"),
                .init(name: "Kernel", value: facts.kernel), .init(name: "Architecture", value: facts.architecture),
                .init(name: "CPUs", value: String(facts.cpuCount)),
                .init(name: "Memory", value: "\(facts.memoryBytes / (1 << 20)) MiB"),
                .init(name: "Agent", value: info.agentVersion), .init(name: "Enrolled", value: ConsolePages.ago(info.enrolledAt)),
                .init(name: "Last seen", value: info.lastSeenAt.map { ConsolePages.ago($0) } ?? "never"),
            ],
            labelsText: labelsText ?? info.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n"),
            labelsError: labelsError, confirmError: confirmError, notice: notice, jobs: jobs, hasJobs: !jobs.isEmpty)
        return try render(page, "server", status: status)
    }

    // MARK: Rendering

    private func chrome(_ context: ConsoleRequestContext, servers: Bool = false) -> ConsolePages.Chrome {
        ConsolePages.Chrome(csrf: context.session.csrfToken, email: context.identity.email, navServers: servers)
    }

    private func render(_ page: Any, _ template: String, status: HTTPResponse.Status = .ok) throws -> Response {
        guard let html = templates.render(page, withTemplate: template) else { throw StoreError("no console template named \(template)") }
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    private func renderLogin(next: String, email: String, error: String?, status: HTTPResponse.Status) throws -> Response {
        let token = SecretToken.randomBase64URL(byteCount: 32)
        var response = try render(
            ConsolePages.Login(loginToken: token, next: Self.safeNext(next), email: email, error: error), "login", status: status)
        response.setCookie(Cookie(name: Self.loginCookie, value: token, maxAge: 3600, path: "/login", httpOnly: true, sameSite: .strict))
        return response
    }

    private func renderError(_ code: Int, _ heading: String, _ message: String, chrome: ConsolePages.Chrome?) throws -> Response {
        try render(
            ConsolePages.ErrorPage(title: heading, chrome: chrome, heading: heading, message: message), "error",
            status: HTTPResponse.Status(code: code))
    }

    private func renderCSRFError(_ context: ConsoleRequestContext) throws -> Response {
        try renderError(403, "The form has expired", "Go back, reload the page and try again.", chrome: chrome(context))
    }

    private func notFound(_ context: ConsoleRequestContext, what: String = "server") throws -> Response {
        let message = what == "server" ? "There is no such server, or it was decommissioned." : "There is no such \(what)."
        return try renderError(404, "Not found", message, chrome: chrome(context))
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(to path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path, .cacheControl: "no-store"])
    }

    /// Only a path on this hub: never another site (`//evil.example`, `https://…`).
    static func safeNext(_ next: String) -> String {
        next.hasPrefix("/") && !next.hasPrefix("//") && !next.contains("\\") ? next : "/servers"
    }

    /// The cookie is `Secure` when the browser reached the hub over TLS (directly or through a proxy
    /// that says so).
    static func isSecure(_ request: Request) -> Bool {
        request.uri.scheme == .https || request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https"
    }

    static func form<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        do {
            return try URLEncodedFormDecoder().decode(T.self, from: String(buffer: buffer))
        } catch {
            throw APIError(.badRequest, code: "invalid_form", detail: "the form could not be read")
        }
    }

    /// Whether a post carried this session's CSRF token.
    static func validCSRF(_ given: String?, _ context: ConsoleRequestContext) -> Bool {
        guard let given else { return false }
        return ConstantTime.equals(given, context.session.csrfToken)
    }

    /// A bcrypt hash of a random password, verified against when the e-mail is unknown so that a
    /// failed sign-in takes as long either way.
    static let decoyHash = Bcrypt.hash(SecretToken.randomBase64URL(byteCount: 16), cost: 12)
}
