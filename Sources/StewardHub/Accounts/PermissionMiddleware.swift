import HTTPTypes
import Hummingbird

/// Refuses a request whose operator lacks the permission its route needs (``RoutePermissions``):
/// `403 forbidden`, naming the permission. It runs after routing, so it knows the route's pattern.
struct PermissionMiddleware<Context: OperatorContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let path = context.endpointPath, let permission = RoutePermissions.required(request.method, path) else {
            throw APIError(.forbidden, code: "forbidden", detail: "this route has no permission assigned; nobody may use it")
        }
        guard context.identity.allows(permission) else {
            throw APIError(
                .forbidden, code: "forbidden",
                detail: "your role (\(context.identity.role.rawValue)) does not have the permission \(permission.rawValue)")
        }
        return try await next(request, context)
    }
}
