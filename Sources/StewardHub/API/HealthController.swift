import Hummingbird
import StewardCore

/// `GET /api/v1/health`: answers as soon as the hub serves requests; needs no credentials.
struct HealthController {
    let databaseKind: DatabaseKind

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("health") { _, context in
            try JSONResponse(Wire.Health(status: "ok", version: StewardVersion.current, database: databaseKind.rawValue))
        }
    }
}
