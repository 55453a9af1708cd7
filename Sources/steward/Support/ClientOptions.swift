import ArgumentParser
import AsyncHTTPClient
import Foundation
import StewardCore

/// How an operator command reaches the hub: flags, else `STEWARD_HUB` / `STEWARD_API_TOKEN`, else
/// what `steward login` kept.
struct ClientOptions: ParsableArguments {
    @Option(help: "The hub's URL (default: $STEWARD_HUB, else the one you logged in to, else http://127.0.0.1:8080).")
    var hub: String?

    @Option(help: "An API token (default: $STEWARD_API_TOKEN, else the one `steward login` kept).")
    var apiToken: String?

    @Option(help: "Act in this tenant, by id or slug (hub administrators; others log in to a tenant).")
    var tenant: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    /// Runs `body` with a client for the hub, shutting the HTTP client down whatever happens.
    func withClient<T>(_ body: (OperatorClient) async throws -> T) async throws -> T {
        // An empty variable counts as unset.
        let environment = ProcessInfo.processInfo.environment.filter { !$0.value.isEmpty }
        let saved = CLIConfig.load()
        let hub = (self.hub ?? environment["STEWARD_HUB"] ?? saved?.hub ?? "http://127.0.0.1:8080")
        guard let token = apiToken ?? environment["STEWARD_API_TOKEN"] ?? saved?.apiToken, !token.isEmpty else {
            throw ValidationError("sign in with `steward login`, or give an API token with --api-token or STEWARD_API_TOKEN")
        }
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
        let client = OperatorClient(
            baseURL: hub.hasSuffix("/") ? String(hub.dropLast()) : hub, apiToken: token, httpClient: httpClient, tenant: tenant)
        do {
            let result = try await body(client)
            try await httpClient.shutdown()
            return result
        } catch let failure as OperatorClient.Failure {
            try? await httpClient.shutdown()
            FileHandle.standardError.write(Data("steward: \(failure.description)\n".utf8))
            throw ExitCode.failure
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
    }

    /// Prints `value` as indented JSON with the API's keys.
    /// POSTs `body` to `path`, which queues a job, and says so: the job as JSON with `--json`, else
    /// "Queued job ID: what"; with `follow`, then follows its log until it ends (exit 0 only if it
    /// succeeded). Every command that queues a job goes through here.
    func queueJob(_ path: String, body: some Encodable, follow: Bool, saying what: (Wire.Job.Info) -> String) async throws {
        try await withClient { api in
            let job: Wire.Job.Info = try await api.post(path, body: body)
            if json && !follow { return try printJSON(job) }
            Console.write("Queued job \(job.id)\(what(job)).")
            if follow { try await JobFollower(api: api).follow(job.id) }
        }
    }

    func printJSON(_ value: some Encodable) throws {
        let encoder = Wire.makeEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
