import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StewardCore

/// `steward login`: asks for the password (and the two-factor code when it is on), gets a token of
/// the user's own from the hub and keeps it for later commands.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in to a hub and keep a personal API token for the commands that follow.",
        discussion: """
            The password, and the two-factor code when two-factor sign-in is on, are asked for without echo
            (or read a line each from standard input when it is not a terminal); they are never arguments.
            The token is saved in \(CLIConfig.path) (mode 0600); `steward logout` revokes it.
            """
    )

    @Option(help: "The hub's URL (default: $STEWARD_HUB, else http://127.0.0.1:8080).")
    var hub: String?

    @Option(help: "Your e-mail address.")
    var email: String

    @Option(help: "The tenant to act in, by id or slug (default: the one you joined first).")
    var tenant: String?

    func run() async throws {
        let base = hub ?? ProcessInfo.processInfo.environment["STEWARD_HUB"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:8080"
        let baseURL = base.hasSuffix("/") ? String(base.dropLast()) : base
        guard let password = SecretPrompt.read("Password for \(email): "), !password.isEmpty else {
            throw ValidationError("no password given")
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = http.shutdown() }
        let name = "steward login on \(ProcessInfo.processInfo.hostName)"
        var request = Wire.APIToken.SignInRequest(email: email, password: password, name: name, tenant: tenant)
        var answer = try await Self.signIn(request, baseURL: baseURL, http: http)
        if case .refused(let problem) = answer, problem.code == "otp_required" {
            guard let code = SecretPrompt.read("Two-factor code (or a backup code): "), !code.isEmpty else {
                throw ValidationError("no two-factor code given")
            }
            request.otp = code
            answer = try await Self.signIn(request, baseURL: baseURL, http: http)
        }
        switch answer {
        case .refused(let problem):
            FileHandle.standardError.write(Data("steward: \(problem.detail ?? problem.title) (\(problem.code))\n".utf8))
            throw ExitCode.failure
        case .created(let created):
            try CLIConfig(
                hub: baseURL, apiToken: created.token, tokenID: created.apiToken.id, email: email, tenantID: created.apiToken.tenantID
            ).save()
            Console.write("Signed in as \(email); the token is kept in \(CLIConfig.path).")
        }
    }

    private static func signIn(
        _ body: Wire.APIToken.SignInRequest, baseURL: String, http: HTTPClient
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + "/api/v1/auth/tokens")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(try Wire.makeEncoder().encode(body))
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .seconds(30))
        } catch {
            throw ValidationError("cannot reach the hub at \(baseURL): \(error)")
        }
        let data = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        if response.status == .created { return .created(try Wire.makeDecoder().decode(Wire.APIToken.Created.self, from: data)) }
        guard let problem = try? Wire.makeDecoder().decode(Wire.Problem.self, from: data) else {
            throw ValidationError("the hub answered HTTP \(response.status.code)")
        }
        return .refused(problem)
    }

    private enum Answer {
        case created(Wire.APIToken.Created)
        case refused(Wire.Problem)
    }
}
