import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StewardCore

/// A server's config history in the console: its tracked files, one file's versions, a diff, a
/// restore and the git export, through ``ConfigHistoryService`` as for the API.
extension ConsoleController {
    /// `/servers/{id}/config`: the tracked files; with `?path=`, that file's versions.
    @Sendable func configHistoryPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let serverID = try context.parameters.require("id")
        if let path = request.uri.queryParameters["path"].map(String.init) {
            return try await renderConfigVersions(serverID: serverID, path: path, context: context)
        }
        return try await renderConfigFiles(serverID: serverID, context: context)
    }

    func renderConfigFiles(
        serverID: String, context: ConsoleRequestContext, error: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let server = try await store.server(id: serverID, tenantID: context.identity.tenantID) else { return try notFound(context) }
        let latest = try await configHistory.versions(serverID: serverID, path: nil, tenantID: context.identity.tenantID)
        let files = latest.map { version in
            ConsolePages.ConfigFileRow(
                path: version.path, query: Self.pathQuery(version.path), sha: String(version.sha256.prefix(12)),
                size: Self.bytes(version.size), source: version.source.rawValue, author: version.author,
                when: ConsolePages.ago(version.createdAt), deleted: version.deleted)
        }
        let page = ConsolePages.ConfigFiles(
            title: "Config history of \(server.name)", chrome: chrome(context, servers: true), serverID: server.id,
            serverName: server.name, csrf: context.session.csrfToken, error: error, files: files, hasFiles: !files.isEmpty,
            canRun: context.identity.allows(.runJobs))
        return try render(page, "config-files", status: status)
    }

    func renderConfigVersions(
        serverID: String, path: String, context: ConsoleRequestContext, error: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let server = try await store.server(id: serverID, tenantID: context.identity.tenantID) else { return try notFound(context) }
        let versions = try await configHistory.versions(serverID: serverID, path: path, tenantID: context.identity.tenantID)
        guard !versions.isEmpty else { return try notFound(context, what: "file in this server's config history") }
        let rows = versions.enumerated().map { index, version in
            ConsolePages.ConfigVersionRow(
                id: version.id, shortID: String(version.id.prefix(8)), sha: String(version.sha256.prefix(12)),
                size: Self.bytes(version.size), source: version.source.rawValue, author: version.author, jobID: version.jobID,
                when: ConsolePages.ago(version.createdAt), deleted: version.deleted, restorable: version.wire.restorable,
                fromChecked: index == min(1, versions.count - 1), toChecked: index == 0)
        }
        let page = ConsolePages.ConfigVersions(
            title: "\(path) on \(server.name)", chrome: chrome(context, servers: true), serverID: server.id, serverName: server.name,
            path: path, csrf: context.session.csrfToken, error: error, versions: rows, canCompare: versions.count > 1,
            canRestore: context.identity.allows(.runJobs) && rows.contains(where: \.restorable))
        return try render(page, "config-versions", status: status)
    }

    /// `/servers/{id}/config/diff?from=&to=`: the masked diff, coloured line by line.
    @Sendable func configDiffPage(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let serverID = try context.parameters.require("id")
        let tenantID = context.identity.tenantID
        guard let server = try await store.server(id: serverID, tenantID: tenantID) else { return try notFound(context) }
        guard let from = request.uri.queryParameters["from"].map(String.init), let to = request.uri.queryParameters["to"].map(String.init)
        else {
            return try await renderConfigFiles(
                serverID: serverID, context: context, error: "Pick two versions to compare.", status: .badRequest)
        }
        do {
            let old = try await configHistory.version(from, serverID: serverID, tenantID: tenantID)
            let new = try await configHistory.version(to, serverID: serverID, tenantID: tenantID)
            let diff = try await configHistory.diff(serverID: serverID, from: from, to: to, tenantID: tenantID)
            let lines = diff.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
                let kind =
                    line.hasPrefix("+++") || line.hasPrefix("---")
                    ? "file" : line.hasPrefix("@@") ? "hunk" : line.hasPrefix("+") ? "add" : line.hasPrefix("-") ? "remove" : "context"
                return ConsolePages.DiffLine(kind: kind, text: String(line))
            }
            let page = ConsolePages.ConfigDiff(
                title: "Changes to \(new.path)", chrome: chrome(context, servers: true), serverID: server.id, serverName: server.name,
                path: new.path, query: Self.pathQuery(new.path), from: String(old.id.prefix(8)), to: String(new.id.prefix(8)),
                lines: Array(lines), same: lines.isEmpty)
            return try render(page, "config-diff")
        } catch let error as APIError where error.status == .notFound {
            return try notFound(context, what: "config version")
        }
    }

    /// `POST /servers/{id}/config/versions/{version}/restore`, confirmed with the file's path.
    @Sendable func restoreConfigVersion(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(ConfirmForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let serverID = try context.parameters.require("id")
        let versionID = try context.parameters.require("version")
        do {
            let job = try await configHistory.restore(
                serverID: serverID, versionID: versionID, confirm: form.confirm?.trimmingCharacters(in: .whitespaces) ?? "",
                by: context.requester)
            return Self.redirect(to: "/jobs/\(job.id)")
        } catch let error as APIError where error.status == .notFound {
            return try notFound(context, what: "config version")
        } catch let error as APIError where [.conflict, .unprocessableContent].contains(error.status) {
            let version = try await configHistory.version(versionID, serverID: serverID, tenantID: context.identity.tenantID)
            return try await renderConfigVersions(
                serverID: serverID, path: version.path, context: context, error: error.errors?.first?.message ?? error.detail,
                status: error.status)
        }
    }

    /// `POST /servers/{id}/config/check`: a drift check now.
    @Sendable func checkConfig(request: Request, context: ConsoleRequestContext) async throws -> Response {
        let form = try await Self.form(PlainForm.self, from: request, context: context)
        guard Self.validCSRF(form._csrf, context) else { return try renderCSRFError(context) }
        let serverID = try context.parameters.require("id")
        do {
            let job = try await configHistory.checkNow(serverID: serverID, by: context.requester)
            return Self.redirect(to: "/jobs/\(job.id)")
        } catch let error as APIError where error.status == .notFound {
            return try notFound(context)
        } catch let error as APIError where error.status == .conflict {
            return try await renderConfigFiles(serverID: serverID, context: context, error: error.detail, status: .conflict)
        }
    }

    /// The git export, as the API gives it, for a signed-in operator's download.
    @Sendable func configExport(request: Request, context: ConsoleRequestContext) async throws -> Response {
        do {
            let (server, archive) = try await configHistory.export(
                serverID: try context.parameters.require("id"), tenantID: context.identity.tenantID)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/x-tar",
                    .contentDisposition: "attachment; filename=\"\(ConfigHistoryController.fileName(for: server))-config.tar\"",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: archive)))
        } catch let error as APIError where error.status == .notFound {
            return try notFound(context)
        }
    }

    /// `path=…` with the path percent-encoded for a query.
    static func pathQuery(_ path: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&+=#")
        return "path=" + (path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path)
    }
}
