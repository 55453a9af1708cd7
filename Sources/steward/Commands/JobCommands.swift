import ArgumentParser
import Foundation
import StewardCore

struct InstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install an app on a server: validate the inputs, queue a signed job, and optionally follow its log.")

    @OptionGroup var client: ClientOptions

    @Argument(help: "The app's id (see GET /api/v1/apps).")
    var app: String

    @Option(help: "The server's id.")
    var server: String

    @Option(name: .customLong("set"), help: "An input value, name=value (repeatable).")
    var values: [String] = []

    @Flag(help: "Follow the job's log until it ends; exit 0 only if it succeeded.")
    var follow = false

    func run() async throws {
        let inputs = try Formatting.inputValues(values)
        try await client.queueJob(
            "/api/v1/apps/\(try PathSegment.encode(app))/install", body: Wire.Job.AppRequest(serverID: server, inputs: inputs),
            follow: follow
        ) { _ in ": install \(app) on \(server)" }
    }
}

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "List jobs, newest first.")

    @OptionGroup var client: ClientOptions

    @Option(help: "Only this server's jobs.")
    var server: String?

    @Option(help: "Only jobs with this status (queued, running, succeeded, failed, retrying, needs_attention, timed_out, dead, cancelled).")
    var status: String?

    @Option(help: "Only this app's jobs.")
    var app: String?

    func run() async throws {
        var query: [String] = []
        if let server { query.append("server=\(try PathSegment.encode(server))") }
        if let status { query.append("status=\(try PathSegment.encode(status))") }
        if let app { query.append("app=\(try PathSegment.encode(app))") }
        try await client.withClient { api in
            let list: Wire.ItemList<Wire.Job.Info> = try await api.get(
                "/api/v1/jobs" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
            if client.json { return try client.printJSON(list) }
            guard !list.items.isEmpty else { return Console.write("No jobs yet. Queue one with: steward install APP --server ID") }
            var table = Table("ID", "APP", "KIND", "SERVER", "STATUS", "ATTEMPT", "EXIT", "CREATED")
            for job in list.items {
                table.add(
                    job.id, job.appID ?? "-", job.kind, job.serverID, job.status.rawValue, "\(job.attempt)/\(job.maxAttempts)",
                    job.exitCode.map(String.init) ?? "-", Formatting.ago(job.createdAt))
            }
            Console.write(table.render())
        }
    }
}

struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job", abstract: "Show one job.", subcommands: [Show.self], defaultSubcommand: Show.self)

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a job's status, attempts, exit code and outputs.")

        @OptionGroup var client: ClientOptions

        @Argument(help: "The job's id.")
        var id: String

        func run() async throws {
            try await client.withClient { api in
                let job: Wire.Job.Info = try await api.get("/api/v1/jobs/\(try PathSegment.encode(id))")
                if client.json { return try client.printJSON(job) }
                var rows: [(String, String)] = [
                    ("id", job.id), ("app", "\(job.appID ?? "-") \(job.appVersion ?? "")"), ("kind", job.kind),
                    ("server", job.serverID), ("status", job.status.rawValue), ("attempt", "\(job.attempt) of \(job.maxAttempts)"),
                    ("exit code", job.exitCode.map(String.init) ?? "-"), ("requested by", job.requestedBy),
                    ("created", job.createdAt.formatted(.iso8601)),
                ]
                if let error = job.error { rows.append(("error", error)) }
                if let next = job.nextRunAt { rows.append(("next run", next.formatted(.iso8601))) }
                for (name, value) in job.inputs.sorted(by: { $0.key < $1.key }) { rows.append(("input", "\(name)=\(value)")) }
                for (name, value) in job.outputs.sorted(by: { $0.key < $1.key }) { rows.append(("output", "\(name)=\(value)")) }
                Console.write(Formatting.fields(rows))
            }
        }
    }
}

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a queued or running job (a running script is stopped: SIGTERM, then SIGKILL).")

    @OptionGroup var client: ClientOptions

    @Argument(help: "The job's id.")
    var id: String

    func run() async throws {
        try await client.withClient { api in
            let job: Wire.Job.Info = try await api.post("/api/v1/jobs/\(try PathSegment.encode(id))/cancel", body: [String: String]())
            if client.json { return try client.printJSON(job) }
            Console.write("Cancelled job \(job.id) (attempt \(job.attempt)).")
        }
    }
}

struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Queue a job that failed, timed out, died, was cancelled or needs attention again.",
        discussion:
            "Password inputs were erased when the job ended: give those you typed again with --set; generated ones are generated anew.")

    @OptionGroup var client: ClientOptions

    @Argument(help: "The job's id.")
    var id: String

    @Option(name: .customLong("set"), help: "A password input's value, name=value (repeatable).")
    var values: [String] = []

    @Flag(help: "Follow the job's log until it ends; exit 0 only if it succeeded.")
    var follow = false

    func run() async throws {
        let inputs = try Formatting.inputValues(values)
        try await client.queueJob(
            "/api/v1/jobs/\(try PathSegment.encode(id))/retry", body: Wire.Job.RetryRequest(inputs: inputs), follow: follow
        ) { job in " again (up to attempt \(job.maxAttempts))" }
    }
}

struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a job's log.")

    @OptionGroup var client: ClientOptions

    @Argument(help: "The job's id.")
    var id: String

    @Flag(help: "Keep printing until the job ends; exit 0 only if it succeeded.")
    var follow = false

    func run() async throws {
        try await client.withClient { api in
            if follow {
                try await JobFollower(api: api).follow(id)
            } else {
                FileHandle.standardOutput.write(try await api.getData("/api/v1/jobs/\(try PathSegment.encode(id))/logs"))
            }
        }
    }
}

/// Prints a job's log live (Server-Sent Events) until the job ends; exits non-zero unless it succeeded.
/// A dropped connection is picked up again where it stopped.
struct JobFollower {
    let api: OperatorClient

    func follow(_ id: String) async throws {
        let path = "/api/v1/jobs/\(try PathSegment.encode(id))/logs?follow=1"
        var offset: String?
        var final: Wire.Job.Info?
        while final == nil {
            let ended = try await api.stream(path, lastEventID: offset) { message in
                switch message.event {
                case "log":
                    FileHandle.standardOutput.write(Data(message.data.utf8))
                    offset = message.id
                    return true
                case "end":
                    final = try Wire.makeDecoder().decode(Wire.Job.Info.self, from: Data(message.data.utf8))
                    return false
                default:
                    return true
                }
            }
            if !ended { try await Task.sleep(for: .seconds(1)) }
        }
        guard let job = final else { return }
        let exit = job.exitCode.map { ", exit code \($0)" } ?? ""
        let reason = job.error.map { " (\($0))" } ?? ""
        FileHandle.standardError.write(
            Data("steward: job \(id) \(job.status.rawValue) after \(job.attempt) attempt(s)\(exit)\(reason)\n".utf8))
        if job.status != .succeeded { throw ExitCode.failure }
    }
}
