import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// Console pages answer errors as pages, not problem JSON: a page the role may not use (403), or
/// one that does not exist for this tenant (404), is shown in the console's own layout.
struct ConsoleErrorPages: RouterMiddleware {
    typealias Context = ConsoleRequestContext
    let templates: MustacheLibrary

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError where [.forbidden, .notFound].contains(error.status) {
            // The live-log stream and the event stream are read by scripts: they keep problem JSON.
            guard !request.uri.path.hasPrefix("/console/") else { throw error }
            let page =
                error.status == .forbidden
                ? ConsolePages.ErrorPage(
                    title: "Not allowed", chrome: ConsolePages.Chrome(context), heading: "Not allowed",
                    message: "Your role in this tenant (\(context.identity.role.rawValue)) cannot use this page.")
                : ConsolePages.ErrorPage(
                    title: "Not found", chrome: ConsolePages.Chrome(context), heading: "Not found", message: error.detail)
            guard let html = templates.render(page, withTemplate: "error") else { throw error }
            return Response(
                status: error.status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html))
            )
        }
    }
}
