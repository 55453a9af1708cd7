import Hummingbird
import StewardCore

/// `/api/v1/apps`: the catalog, the install form schema of each app, and input validation.
struct AppController {
    let catalog: AppCatalog

    func addRoutes(to group: RouterGroup<OperatorRequestContext>) {
        group.get(use: list)
        group.get(":id", use: show)
        group.post(":id/validate", use: validate)
    }

    @Sendable func list(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let query = request.uri.queryParameters
        let apps = catalog.search(query: query["q"].map(String.init), category: query["category"].map(String.init))
        return try JSONResponse(Wire.ItemList(items: apps.map(\.manifest.summary)))
    }

    @Sendable func show(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(try app(context).manifest.detail)
    }

    @Sendable func validate(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let app = try app(context)
        let body = try await request.decodeJSON(as: Wire.App.ValidateRequest.self, context: context)
        switch InputValidator.validate(app.manifest, given: body.inputs) {
        case .success(let validated):
            return try JSONResponse(Wire.App.ValidateResponse(values: validated.masked, generated: validated.generatedNames.sorted()))
        case .failure(let failure):
            throw APIError.invalid(failure.errors)
        }
    }

    private func app(_ context: OperatorRequestContext) throws -> CatalogApp {
        let id = try context.parameters.require("id")
        guard let app = catalog.app(id: id) else { throw APIError.notFound("app", id: id) }
        return app
    }
}
