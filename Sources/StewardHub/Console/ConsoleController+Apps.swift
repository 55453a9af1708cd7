import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StewardCore

/// The catalog and an app's install form, generated from its manifest.
extension ConsoleController {
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
            let job = try await jobs.queueApp(.install, appID: id, body: .init(serverID: serverID, inputs: inputs), by: context.requester)
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

    func renderApp(
        _ manifest: Manifest, context: ConsoleRequestContext, values: [String: String], serverID: String?,
        errors: [String: String] = [:], problems: [String] = [], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let now = clock.now
        let servers = try await store.servers(tenantID: context.identity.tenantID).map { record in
            let info = record.info(at: now, heartbeatInterval: heartbeatInterval)
            let reason = JobService.incompatibility(manifest, facts: info.facts)
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
}
