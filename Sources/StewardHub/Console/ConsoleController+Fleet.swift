import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StewardCore

/// The servers list and a server's page: facts, jobs, labels, decommissioning.
extension ConsoleController {
    @Sendable func servers(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let now = clock.now
        let rows = try await store.servers(tenantID: context.identity.tenantID).map {
            ConsolePages.ServerRow($0.info(at: now, heartbeatInterval: heartbeatInterval))
        }
        let page = ConsolePages.Servers(chrome: chrome(context, servers: true), servers: rows, hasServers: !rows.isEmpty)
        if request.uri.queryParameters["fragment"] == "rows" { return try render(page, "server-rows") }
        return try render(page, "servers")
    }

    @Sendable func server(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let saved = request.uri.queryParameters["saved"] == "labels"
        let range = request.uri.queryParameters["range"].flatMap { Self.chartRanges[String($0)] != nil ? String($0) : nil } ?? "1h"
        // `?fragment=charts`: only the charts, which the page fetches to redraw them as metrics arrive.
        return try await serverPage(
            try context.parameters.require("id"), context: context, notice: saved ? "Labels saved." : nil, range: range,
            fragment: request.uri.queryParameters["fragment"] == "charts")
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
                id: id, tenantID: context.identity.tenantID, name: current.name, labels: labels, at: clock.now,
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
                id: id, tenantID: context.identity.tenantID, at: clock.now,
                audit: context.audit("server.decommission", target: "server:\(id)")
            )
        else { return try notFound(context) }
        await events.publish(cancelled.map(\.statusEvent))
        await events.publish(server.event(.serverRemoved))
        return Self.redirect(to: "/servers")
    }

    func serverPage(
        _ id: String, context: ConsoleRequestContext, labelsText: String? = nil, labelsError: String? = nil, confirmError: String? = nil,
        notice: String? = nil, range: String = "1h", fragment: Bool = false, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let record = try await store.server(id: id, tenantID: context.identity.tenantID) else { return try notFound(context) }
        let charts = try await charts(of: id, context: context, range: range)
        let canAct = context.identity.allows(.runJobs)
        let containers = (try await store.containers(serverID: id, tenantID: context.identity.tenantID)?.items ?? []).map {
            ConsolePages.ContainerRow(
                name: $0.name, image: $0.image, state: $0.state, health: $0.health, restarts: $0.restartCount, status: $0.status,
                csrf: context.session.csrfToken, serverID: id, canAct: canAct, running: $0.state == "running")
        }
        let installed = try await installations.list(tenantID: context.identity.tenantID, serverID: id).map(
            ConsolePages.InstallationRow.init)
        let info = record.info(at: clock.now, heartbeatInterval: heartbeatInterval)
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
            labelsError: labelsError, confirmError: confirmError, notice: notice, jobs: jobs, hasJobs: !jobs.isEmpty,
            charts: charts, hasCharts: charts.contains { $0.hasData },
            ranges: Self.chartRanges.sorted { $0.value < $1.value }.map {
                ConsolePages.Option(value: $0.key, label: $0.key, selected: $0.key == range)
            }, range: range, containers: containers, hasContainers: !containers.isEmpty, installations: installed,
            hasInstallations: !installed.isEmpty)
        return try render(page, fragment ? "server-charts" : "server", status: status)
    }

    /// The time spans a server's charts show.
    static let chartRanges: [String: TimeInterval] = ["1h": 3600, "24h": 86_400, "7d": 7 * 86_400, "30d": 30 * 86_400]

    /// CPU, memory, disks and network of the server over `range`, about 120 points each.
    func charts(of serverID: String, context: ConsoleRequestContext, range: String) async throws -> [ConsolePages.Chart] {
        let span = Self.chartRanges[range] ?? 3600
        let to = clock.now
        let from = to.addingTimeInterval(-span)
        let step = Swift.max(15, Int(span / 120))
        let wanted: [(String, [String], MetricsChart.Unit)] = [
            ("CPU", ["cpu.percent"], .percent), ("Memory", ["memory.used_percent"], .percent), ("Disks", ["disk.used_percent"], .percent),
            ("Network", ["network.rx_bytes", "network.tx_bytes"], .bytesPerSecond),
        ]
        var charts: [ConsolePages.Chart] = []
        for (title, names, unit) in wanted {
            let query = try await metrics.query(
                serverID: serverID, tenantID: context.identity.tenantID, names: names, from: from, to: to, step: step)
            let chart = MetricsChart(title: title, unit: unit, series: query.series, from: from, to: to)
            charts.append(
                .init(
                    title: title, svg: chart.svg, hasData: !query.series.isEmpty,
                    legend: query.series.prefix(MetricsChart.colours.count).enumerated().map { index, series in
                        .init(label: MetricsChart.label(series, naming: names.count > 1), colour: MetricsChart.colours[index])
                    }))
        }
        return charts
    }

    /// The actions a server's page offers on a container.
    static let containerActions: Set<String> = ["start", "stop", "restart", "logs"]

    /// `POST /servers/{id}/containers/{name}/{action}`: queues a `container` step (the agent's policy
    /// decides whether it runs) and shows its job.
    @Sendable func containerAction(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let id = try context.parameters.require("id")
        let name = try context.parameters.require("name")
        let action = try context.parameters.require("action")
        guard Self.containerActions.contains(action), StepCheck.isContainerReference(name) else {
            return try notFound(context, what: "container action")
        }
        var step = Wire.Job.Step(type: .container)
        step.action = action
        step.container = name
        do {
            let job = try await jobs.queueSteps(.init(serverID: id, steps: [step]), by: context.requester)
            return Self.redirect(to: "/jobs/\(job.id)")
        } catch let error as APIError where error.status == .notFound {
            return try notFound(context)
        }
    }
}
