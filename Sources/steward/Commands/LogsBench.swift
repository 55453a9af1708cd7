import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StewardCore

#if canImport(Glibc)
import Glibc
#endif

/// `steward bench logs`: a big job log written, downloaded, tailed and followed, with the hub's
/// peak memory in each phase.
struct LogsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Measure the hub's memory and speed with one big job log (default 100 MiB).",
        discussion: """
            Starts `steward hub` (SQLite) and one `steward agent` whose policy allows a small program that
            prints --megabytes MiB of 100-byte lines. One shell job runs it; then the whole log is downloaded
            (GET /api/v1/jobs/{id}/logs), its second half is tailed (?tail=), and it is followed from byte 0
            as Server-Sent Events (?follow=1). For each phase the hub's peak resident memory (VmHWM, reset
            before the phase) is read from /proc, with the time it took. With --log-rules N, N job log
            rules whose patterns match none of the lines are made first, so that every rule reads every
            batch to its end: compare the write phase with and without. Use a release build.
            """
    )

    @Option(help: "Size of the log in MiB.")
    var megabytes = 100

    @Option(help: "How many log rules (matching nothing) the hub checks each batch against.")
    var logRules = 0

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard (1...1024).contains(megabytes) else { throw ValidationError("--megabytes must be between 1 and 1024") }
        guard (0...100).contains(logRules) else { throw ValidationError("--log-rules must be between 0 and 100") }
    }

    struct Phase: Encodable {
        var name: String
        var bytes: Int64
        var seconds: Double
        var hubPeakRSSMiB: Double

        enum CodingKeys: String, CodingKey {
            case name, bytes, seconds
            case hubPeakRSSMiB = "hub_peak_rss_mib"
        }
    }

    struct Report: Encodable {
        var logBytes: Int64
        var logRules: Int
        var hubIdleRSSMiB: Double
        var phases: [Phase]

        enum CodingKeys: String, CodingKey {
            case phases
            case logBytes = "log_bytes"
            case logRules = "log_rules"
            case hubIdleRSSMiB = "hub_idle_rss_mib"
        }
    }

    func run() async throws {
        let directory = NSTemporaryDirectory() + "steward-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let http = HTTPClient.shared
        let logBytes = Int64(megabytes) << 20

        let port = try BenchSupport.freePort()
        let hubURL = "http://127.0.0.1:\(port)"
        let ownerToken = SecretToken.generate(.apiToken)
        let hub = try BenchSupport.launch(
            [
                "hub", "--data-dir", directory + "/hub", "--listen", "127.0.0.1:\(port)", "--log-format", "json",
                "--max-log-bytes", String(logBytes + (1 << 20)),
            ],
            environment: ["STEWARD_BOOTSTRAP_TOKEN": ownerToken, "LOG_LEVEL": "warning"])
        defer { BenchSupport.stop(hub) }
        _ = try await BenchSupport.timeUntil { await BenchSupport.healthy(hubURL, http: http) }
        let api = OperatorClient(baseURL: hubURL, apiToken: ownerToken, httpClient: http)

        // `yes` repeats one 99-character line; `head` stops it at the exact size.
        let program = directory + "/print-log"
        let line = String(repeating: "steward log benchmark ", count: 5).prefix(99)
        try "#!/bin/sh\nexec yes '\(line)' | head -c \"$1\"\n".write(toFile: program, atomically: true, encoding: .utf8)
        chmod(program, 0o755)
        let policy = directory + "/policy.yml"
        try "shell: [{ command: \(program), arguments: [\"^[0-9]+$\"] }]\n".write(toFile: policy, atomically: true, encoding: .utf8)
        let token: Wire.RegistrationToken.Created = try await api.post(
            "/api/v1/registration-tokens", body: Wire.RegistrationToken.CreateRequest())
        let agent = try BenchSupport.launch(
            [
                "agent", "--hub", hubURL, "--token", token.token, "--state-dir", directory + "/agent", "--policy", policy, "--log-format",
                "json",
            ],
            environment: ["LOG_LEVEL": "warning"])
        defer { BenchSupport.stop(agent) }
        var serverID = ""
        _ = try await BenchSupport.timeUntil {
            let list: Wire.ItemList<Wire.Server.Info> = try await api.get("/api/v1/servers")
            serverID = list.items.first { $0.status == .online }?.id ?? ""
            return !serverID.isEmpty
        }

        try await Task.sleep(for: .seconds(2))
        let hubIdle = BenchSupport.residentMiB(hub.processIdentifier)
        if !json { Console.write(String(format: "hub and agent online; hub resident memory %.1f MiB", hubIdle)) }

        var phases: [Phase] = []
        func measure(_ name: String, _ work: () async throws -> Int64) async throws {
            BenchSupport.resetPeakResident(hub.processIdentifier)
            let start = ContinuousClock.now
            let bytes = try await work()
            let phase = Phase(
                name: name, bytes: bytes, seconds: BenchSupport.milliseconds(ContinuousClock.now - start) / 1000,
                hubPeakRSSMiB: BenchSupport.peakResidentMiB(hub.processIdentifier))
            phases.append(phase)
            if !json {
                Console.write(
                    String(
                        format: "%@: %.1f MiB in %.1f s (%.1f MiB/s); hub peak resident memory %.1f MiB", name,
                        Double(bytes) / 1_048_576, phase.seconds, Double(bytes) / 1_048_576 / phase.seconds, phase.hubPeakRSSMiB))
            }
        }

        for index in 0..<logRules {
            let rule = Wire.LogRules.Request(name: "bench \(index)", pattern: #"\b(ERROR|FATAL)-\#(index)\b"#, sources: ["job"])
            let _: Wire.LogRules.Rule = try await api.post("/api/v1/log-rules", body: rule)
        }

        var step = Wire.Job.Step(type: .shell)
        step.command = program
        step.arguments = [String(logBytes)]
        var jobID = ""
        try await measure("write (agent → hub)") {
            let job: Wire.Job.Info = try await api.post("/api/v1/jobs", body: Wire.Job.StepsRequest(serverID: serverID, steps: [step]))
            jobID = job.id
            while true {
                let current: Wire.Job.Info = try await api.get("/api/v1/jobs/\(job.id)")
                if current.status.isFinal {
                    guard current.status == .succeeded else { throw BenchSupport.Failure(description: "the job ended \(current.status)") }
                    return logBytes
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        try await measure("download") {
            try await countBody(http: http, url: "\(hubURL)/api/v1/jobs/\(jobID)/logs", token: ownerToken)
        }
        // The agent adds a few lines of its own around the program's output.
        let stored = phases[1].bytes
        guard stored >= logBytes else {
            throw BenchSupport.Failure(description: "the hub stored \(stored) bytes of a \(logBytes)-byte log")
        }
        try await measure("tail (second half)") {
            try await countBody(http: http, url: "\(hubURL)/api/v1/jobs/\(jobID)/logs?tail=\(stored / 2)", token: ownerToken)
        }
        try await measure("follow from 0") {
            var received: Int64 = 0
            _ = try await api.stream("/api/v1/jobs/\(jobID)/logs?follow=1", lastEventID: nil) { message in
                guard message.event == "log" else { return message.event != "end" }
                received = Int64(message.id ?? "") ?? received
                return true
            }
            guard received == stored else {
                throw BenchSupport.Failure(description: "the follow ended at byte \(received) of \(stored)")
            }
            return received
        }

        let report = Report(logBytes: stored, logRules: logRules, hubIdleRSSMiB: hubIdle, phases: phases)
        if json { try BenchSupport.printJSON(report) }
    }

    /// Reads a plain-text answer to its end, keeping none of it; returns how many bytes came.
    private func countBody(http: HTTPClient, url: String, token: String) async throws -> Int64 {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await http.execute(request, timeout: .minutes(10))
        guard response.status == .ok else { throw BenchSupport.Failure(description: "\(url) answered HTTP \(response.status.code)") }
        var bytes: Int64 = 0
        for try await buffer in response.body { bytes += Int64(buffer.readableBytes) }
        return bytes
    }
}
