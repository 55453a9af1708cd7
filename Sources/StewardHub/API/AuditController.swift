import Hummingbird
import StewardCore

/// `GET /api/v1/audit?limit=50&before=<id>&actor=…&action=…`: the audit log, newest first, in pages.
struct AuditController {
    let store: Store

    func addRoutes(to group: RouterGroup<OperatorRequestContext>) {
        group.get(use: list)
    }

    @Sendable func list(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let query = request.uri.queryParameters
        var problems: [Wire.FieldError] = []
        let limit = APIError.limit(query["limit"], fallback: 50, max: 500, problems: &problems)
        var before: Int64?
        if let text = query["before"] {
            if let value = Int64(text), value > 0 {
                before = value
            } else {
                problems.append(.init(field: "before", message: "must be a positive integer (an audit record id)"))
            }
        }
        guard problems.isEmpty else { throw APIError.invalidQuery(problems) }
        return try JSONResponse(
            try await store.auditPage(
                tenantID: context.identity.tenantID, before: before, limit: limit, actor: query["actor"].map(String.init),
                action: query["action"].map(String.init)))
    }
}
