import Foundation
import Hummingbird
import NIOCore
import StewardCore

/// `/api/v1/servers/{id}/config`: a server's config history, diffs, restores, the git export and
/// drift checks. The rules are ``ConfigHistoryService``'s.
struct ConfigHistoryController {
    let history: ConfigHistoryService

    func addRoutes(to servers: RouterGroup<OperatorRequestContext>) {
        servers.get(":id/config", use: versions)
        servers.get(":id/config/diff", use: diff)
        servers.get(":id/config/export", use: export)
        servers.post(":id/config/check") { _, context in
            let job = try await history.checkNow(serverID: try context.parameters.require("id"), by: context.requester)
            return try JSONResponse(status: .accepted, job.info)
        }
        servers.post(":id/config/versions/:version/restore") { request, context in
            let body = try await request.decodeJSON(as: Wire.ConfigHistory.RestoreRequest.self, context: context)
            let job = try await history.restore(
                serverID: try context.parameters.require("id"), versionID: try context.parameters.require("version"),
                confirm: body.confirm, by: context.requester)
            return try JSONResponse(status: .accepted, job.info)
        }
    }

    /// `?path=P`: that file's versions, newest first; without it, the latest version of each file.
    @Sendable func versions(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let path = request.uri.queryParameters["path"].map(String.init)
        if let path, !StepCheck.isNormalisedAbsolutePath(path) {
            throw APIError(.badRequest, code: "invalid_query", detail: "path must be an absolute path such as /etc/app/.env")
        }
        let versions = try await history.versions(
            serverID: try context.parameters.require("id"), path: path, tenantID: context.identity.tenantID)
        return try JSONResponse(Wire.ItemList(items: versions.map(\.wire)))
    }

    /// `?from=VID&to=VID`: a unified diff of the masked contents, as text.
    @Sendable func diff(request: Request, context: OperatorRequestContext) async throws -> Response {
        guard let from = request.uri.queryParameters["from"].map(String.init), let to = request.uri.queryParameters["to"].map(String.init)
        else { throw APIError(.badRequest, code: "invalid_query", detail: "give from and to: the ids of two versions") }
        let diff = try await history.diff(
            serverID: try context.parameters.require("id"), from: from, to: to, tenantID: context.identity.tenantID)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: diff)))
    }

    /// The history as a bare git repository, in a tar archive.
    @Sendable func export(request: Request, context: OperatorRequestContext) async throws -> Response {
        let (server, archive) = try await history.export(
            serverID: try context.parameters.require("id"), tenantID: context.identity.tenantID)
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/x-tar", .contentDisposition: "attachment; filename=\"\(Self.fileName(for: server))-config.tar\"",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: archive)))
    }

    /// The server's name fit for a download's file name: letters, digits, `-` and `.`.
    static func fileName(for server: ServerRecord) -> String {
        String(server.name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") ? $0 : "-" }.prefix(64))
    }
}
