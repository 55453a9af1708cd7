import Foundation
import Hummingbird
import NIOCore

/// `GET /install.sh` and `GET /downloads/steward-agent-linux-<arch>` (and `.sha256`): how servers
/// get the agent from their hub. Public: a server has no credentials yet.
struct DistributionController {
    let distribution: AgentDistribution
    /// The hub's address as servers reach it, when it is set; else the one the request used.
    let publicURL: String?

    func addRoutes(to router: Router<HubRequestContext>) {
        router.get("install.sh", use: installer)
        router.get("downloads/:file", use: download)
    }

    @Sendable func installer(request: Request, context: HubRequestContext) async throws -> Response {
        let hubURL = publicURL ?? ConsoleController.hubURL(request)
        guard AgentInstaller.isPlainURL(hubURL) else {
            throw APIError(.badRequest, code: "invalid_host", detail: "the request's Host is not a plain host name or address")
        }
        return Response(
            status: .ok, headers: [.contentType: "text/x-shellscript; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: AgentInstaller.script(hubURL: hubURL))))
    }

    @Sendable func download(request: Request, context: HubRequestContext) async throws -> Response {
        let file = try context.parameters.require("file")
        let wantsDigest = file.hasSuffix(".sha256")
        let name = wantsDigest ? String(file.dropLast(".sha256".count)) : file
        guard name.hasPrefix("steward-agent-linux-"),
            let path = distribution.binary(arch: String(name.dropFirst("steward-agent-linux-".count)))
        else {
            throw APIError(
                .notFound, code: "not_found",
                detail:
                    "this hub serves no \(file): install the steward-agent package beside the hub (its binary is served), or start the hub with --agent-binaries DIR holding steward-agent-linux-<arch>"
            )
        }
        if wantsDigest {
            let line = "\(try distribution.sha256(of: path))  \(name)\n"
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: line)))
        }
        let body = try await FileIO().loadFile(path: path, context: context)
        return Response(
            status: .ok,
            headers: [.contentType: "application/octet-stream", .contentDisposition: "attachment; filename=\"\(name)\""],
            body: body)
    }
}
