import Foundation
import Logging
import NIOHTTP1
import StewardCore

/// Reports the server's Docker containers to the hub every `interval` seconds, and at once when
/// Docker says one died, was killed for memory, restarted or changed health. Runs only while
/// `/var/run/docker.sock` exists (it looks again every minute). Environment values whose names look
/// secret are masked here, before anything leaves the server.
struct ContainerWatcher {
    let docker: DockerClient
    let client: HubClient
    let credential: Wire.AgentCredential
    let interval: Int
    /// Words that make an environment variable's value secret when its name contains one.
    let secretWords: [String]
    let logger: Logger
    /// Events kept while the hub cannot be reached; past this, the oldest go.
    static let maxPendingEvents = 1000
    static let maxEnv = 200
    /// What the hub may ask for, at most: lines per container, and containers per report.
    static let maxTailLines = 200
    static let maxLogTails = 500
    /// The log lines of one report, together: well under the hub's 1 MiB a request.
    static let maxLogBytes = 256 << 10

    func run() async {
        while !Task.isCancelled {
            guard docker.available else {
                try? await Task.sleep(for: .seconds(60))
                continue
            }
            logger.info("watching Docker containers", metadata: ["docker.socket": "\(docker.socketPath)"])
            let inbox = EventInbox()
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await streamEvents(into: inbox) }
                group.addTask { await reportLoop(inbox) }
                await group.next()
                group.cancelAll()
            }
            try? await Task.sleep(for: .seconds(5))
        }
    }

    /// Follows Docker's event stream, reconnecting after a pause when it ends or fails.
    private func streamEvents(into inbox: EventInbox) async {
        while !Task.isCancelled && docker.available {
            do {
                try await docker.events { event in await inbox.add(event) }
            } catch {
                logger.debug("Docker's event stream ended", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(2))
        }
    }

    /// A report every interval, or a second after an event; ends when the socket goes away. When the
    /// hub asks for log lines (its log rules read containers), each running container's lines since
    /// the last report go with the next one.
    private func reportLoop(_ inbox: EventInbox) async {
        var previous: [String: CPUReading] = [:]
        var reachable = true
        var tailLines = 0
        var logsSince: Date?
        while !Task.isCancelled && docker.available {
            do {
                let (containers, readings, secrets) = try await snapshot(previous: previous)
                previous = readings
                let events = await inbox.take()
                let now = Date()
                var logs: [Wire.Containers.LogTail]?
                if tailLines > 0, let since = logsSince {
                    logs = await logTails(of: containers.filter { $0.state == "running" }, since: since, lines: tailLines, secrets: secrets)
                }
                do throws(HubClient.Failure) {
                    let answer = try await client.sendContainers(
                        .init(containers: containers, events: events, logs: logs), credential: credential)
                    tailLines = min(max(answer?.logTailLines ?? 0, 0), Self.maxTailLines)
                    logsSince = now
                    if !reachable {
                        logger.info("container reports delivered again")
                        reachable = true
                    }
                } catch {
                    await inbox.putBack(events)
                    if reachable {
                        logger.warning("cannot deliver the container report; keeping its events", metadata: ["reason": "\(error)"])
                        reachable = false
                    }
                }
            } catch {
                logger.warning("cannot read Docker's containers", metadata: ["error": "\(error)"])
            }
            await inbox.wait(atMost: .seconds(interval))
        }
    }

    struct CPUReading {
        var container: Double
        var system: Double
    }

    /// The newest lines each container logged since `since` (at most `lines`, each cut to 4,000
    /// bytes, and together within ``maxLogBytes``, shared evenly), with the values of its
    /// secret-looking environment variables masked. A container whose log cannot be read is left out.
    func logTails(
        of containers: [Wire.Containers.Container], since: Date, lines: Int, secrets: [String: [String]]
    ) async -> [Wire.Containers.LogTail] {
        var tails: [Wire.Containers.LogTail] = []
        let seconds = String(format: "%.6f", since.timeIntervalSince1970)
        let chosen = containers.prefix(Self.maxLogTails)
        let share = max(Self.maxLogBytes / max(chosen.count, 1), 4096)
        for container in chosen {
            let path = "/containers/\(container.id)/logs?stdout=1&stderr=1&since=\(seconds)&tail=\(lines)"
            guard let data = try? await docker.request(.GET, path, limit: 1 << 20) else { continue }
            let text = String(decoding: DockerClient.demultiplexed(data), as: UTF8.self)
            let logged = Self.newestLines(
                of: text, count: lines, bytes: share, masker: SecretMasker(secrets: secrets[container.id] ?? []))
            if !logged.isEmpty { tails.append(.init(containerID: container.id, name: container.name, lines: logged)) }
        }
        return tails
    }

    /// The last `count` lines of `text`, oldest first, masked, each cut to 4,000 bytes, together at
    /// most `bytes`: when they do not all fit, the newest are kept.
    static func newestLines(of text: String, count: Int, bytes: Int, masker: SecretMasker) -> [String] {
        var kept: [String] = []
        var total = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).suffix(count).reversed() {
            // Masked before the cut (a secret across it would show in part); under the hub's 4 KiB
            // a line even when the cut splits a character.
            let masked = String(decoding: masker.mask(String(line)).utf8.prefix(4000), as: UTF8.self)
            total += masked.utf8.count
            guard total <= bytes else { break }
            kept.append(masked)
        }
        return kept.reversed()
    }

    /// Every container with its details and, when running, its CPU (since the last snapshot) and
    /// memory; and the values of each one's secret-looking environment variables, to mask its log with.
    func snapshot(
        previous: [String: CPUReading]
    ) async throws -> ([Wire.Containers.Container], [String: CPUReading], [String: [String]]) {
        var readings: [String: CPUReading] = [:]
        var containers: [Wire.Containers.Container] = []
        var secrets: [String: [String]] = [:]
        for summary in try await docker.containers().prefix(500) {
            let details = try? await docker.details(summary.Id)
            var cpu: Double?
            var memory: Int64?
            var limit: Int64?
            if summary.State == "running", let stats = try? await docker.stats(summary.Id) {
                memory = stats.memory_stats?.usage
                limit = stats.memory_stats?.limit
                if let total = stats.cpu_stats?.cpu_usage?.total_usage, let system = stats.cpu_stats?.system_cpu_usage {
                    let reading = CPUReading(container: total, system: system)
                    readings[summary.Id] = reading
                    if let last = previous[summary.Id], system > last.system {
                        let cpus = stats.cpu_stats?.online_cpus ?? 1
                        cpu = max(0, (total - last.container) / (system - last.system) * cpus * 100)
                    }
                }
            }
            let ports = (summary.Ports ?? []).map { port in
                let inside = "\(port.PrivatePort ?? 0)/\(port.Type ?? "tcp")"
                guard let published = port.PublicPort else { return inside }
                return "\(port.IP ?? "0.0.0.0"):\(published)->\(inside)"
            }
            containers.append(
                .init(
                    id: String(summary.Id.prefix(64)),
                    name: String((summary.Names?.first ?? summary.Id).trimmingCharacters(in: ["/"]).prefix(128)),
                    image: String((summary.Image ?? "").prefix(256)), state: summary.State ?? "unknown",
                    status: String((summary.Status ?? "").prefix(128)),
                    health: details?.State?.Health?.Status, restartCount: details?.RestartCount ?? 0, exitCode: details?.State?.ExitCode,
                    oomKilled: details?.State?.OOMKilled ?? false, ports: Array(ports.prefix(50)),
                    createdAt: summary.Created.map { Date(timeIntervalSince1970: Double($0)) },
                    startedAt: DockerClient.date(details?.State?.StartedAt),
                    cpuPercent: cpu, memoryBytes: memory, memoryLimitBytes: limit,
                    env: masked(details?.Config?.Env ?? [])))
            secrets[String(summary.Id.prefix(64))] = secretValues(details?.Config?.Env ?? [])
        }
        return (containers, readings, secrets)
    }

    /// The values of the secret-looking `KEY=value` entries.
    func secretValues(_ env: [String]) -> [String] {
        env.prefix(Self.maxEnv).compactMap { entry in
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[1].isEmpty, SecretMasker.looksSecret(String(parts[0]), words: secretWords) else { return nil }
            return String(parts[1])
        }
    }

    /// `KEY=value` entries with the values of secret-looking keys replaced by `****`.
    func masked(_ env: [String]) -> [String] {
        env.prefix(Self.maxEnv).map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0])
            guard parts.count == 2 else { return String(entry.prefix(1024)) }
            if SecretMasker.looksSecret(key, words: secretWords) { return key + "=" + SecretMasker.mask }
            return String(entry.prefix(1024))
        }
    }

    /// Docker events waiting for the next report, and the signal that one arrived.
    actor EventInbox {
        private var events: [Wire.Containers.Event] = []
        private var waiter: CheckedContinuation<Void, Never>?

        func add(_ event: Wire.Containers.Event) {
            events.append(event)
            if events.count > ContainerWatcher.maxPendingEvents { events.removeFirst(events.count - ContainerWatcher.maxPendingEvents) }
            wake()
        }

        func take() -> [Wire.Containers.Event] {
            defer { events.removeAll() }
            return events
        }

        func putBack(_ earlier: [Wire.Containers.Event]) {
            events = Array((earlier + events).suffix(ContainerWatcher.maxPendingEvents))
        }

        /// Returns after `duration`, or a second after an event arrives, whichever is first.
        func wait(atMost duration: Duration) async {
            if !events.isEmpty {
                try? await Task.sleep(for: .seconds(1))
                return
            }
            let timer = Task { [weak self] in
                try? await Task.sleep(for: duration)
                await self?.wake()
            }
            await withCheckedContinuation { continuation in waiter = continuation }
            timer.cancel()
            if !events.isEmpty { try? await Task.sleep(for: .seconds(1)) }
        }

        private func wake() {
            waiter?.resume()
            waiter = nil
        }
    }
}
