import Foundation
import StewardCore

/// Docker containers as agents report them: checked, stored as each server's current set, and
/// Docker's events about them kept as fleet events.
struct ContainerService: Sendable {
    let store: Store
    let clock: HubClock
    /// Matches the reports' log tails against the tenant's log rules.
    let logScanner: LogScanner
    static let maxContainers = 500
    static let maxEvents = 1000
    static let maxLogTails = 500
    static let maxLinesPerTail = 200
    static let maxLineLength = 4096

    /// Stores the report; the answer says how many log lines of each container the next report should bring.
    func ingest(_ report: Wire.Containers.Report, from agent: AgentRecord) async throws -> Wire.Containers.ReportAnswer {
        var problems: [Wire.FieldError] = []
        if report.containers.count > Self.maxContainers {
            problems.append(.init(field: "containers", message: "at most \(Self.maxContainers) per report"))
        }
        if report.events.count > Self.maxEvents { problems.append(.init(field: "events", message: "at most \(Self.maxEvents) per report")) }
        for (index, container) in report.containers.prefix(Self.maxContainers).enumerated() {
            if !Self.isContainerID(container.id) {
                problems.append(.init(field: "containers[\(index)].id", message: "must be a container id"))
            }
            if !StepCheck.isContainerReference(container.name) {
                problems.append(.init(field: "containers[\(index)].name", message: "must be a container name"))
            }
            if container.env.count > 200 || container.ports.count > 50 || container.image.count > 256 || container.status.count > 256 {
                problems.append(.init(field: "containers[\(index)]", message: "is larger than an agent reports"))
            }
        }
        let tails = report.logs ?? []
        if tails.count > Self.maxLogTails { problems.append(.init(field: "logs", message: "at most \(Self.maxLogTails) per report")) }
        for (index, tail) in tails.prefix(Self.maxLogTails).enumerated() {
            if !Self.isContainerID(tail.containerID) || !StepCheck.isContainerReference(tail.name) {
                problems.append(.init(field: "logs[\(index)]", message: "must name a container by its id and name"))
            }
            if tail.lines.count > Self.maxLinesPerTail || tail.lines.contains(where: { $0.utf8.count > Self.maxLineLength }) {
                problems.append(
                    .init(
                        field: "logs[\(index)].lines",
                        message: "must be at most \(Self.maxLinesPerTail) lines of at most \(Self.maxLineLength) bytes"))
            }
        }
        guard problems.isEmpty else { throw APIError.invalid(Array(problems.prefix(20))) }
        let events = report.events.prefix(Self.maxEvents).compactMap {
            Self.fleetEvent($0, serverID: agent.serverID, tenantID: agent.tenantID)
        }
        try await store.replaceContainers(
            serverID: agent.serverID, tenantID: agent.tenantID, containers: report.containers, events: events, at: clock.now)
        await logScanner.scanContainerLogs(tails, serverID: agent.serverID, tenantID: agent.tenantID)
        return .init(logTailLines: await logScanner.containerTailLines(tenantID: agent.tenantID))
    }

    static func isContainerID(_ id: String) -> Bool { id.wholeMatch(of: /[0-9a-f]{12,64}/) != nil }

    /// The fleet event a Docker event makes: a container died (with its exit code), was killed for
    /// memory, restarted, or became unhealthy. Other health changes are not events.
    static func fleetEvent(_ event: Wire.Containers.Event, serverID: String, tenantID: String) -> FleetEventRecord? {
        guard StepCheck.isContainerReference(event.name) || isContainerID(event.name) else { return nil }
        let kind: String
        let severity: FleetEventRecord.Severity
        let message: String
        switch event.action {
        case "die":
            let code = event.exitCode ?? -1
            kind = "container.died"
            severity = code == 0 ? .info : .warning
            message = "container \(event.name) exited with code \(code)"
        case "oom":
            kind = "container.oom"
            severity = .critical
            message = "container \(event.name) ran out of memory and was killed"
        case "restart":
            kind = "container.restarting"
            severity = .warning
            message = "container \(event.name) restarted"
        case "health_status" where event.health == "unhealthy":
            kind = "container.unhealthy"
            severity = .warning
            message = "container \(event.name) is unhealthy"
        default:
            return nil
        }
        let nanos = Int64((event.at.timeIntervalSince1970 * 1e9).rounded())
        return FleetEventRecord(
            tenantID: tenantID, serverID: serverID, kind: kind, severity: severity, message: message,
            dedupeKey: "container:\(serverID):\(event.containerID.prefix(64)):\(event.action):\(nanos)", at: event.at)
    }
}
