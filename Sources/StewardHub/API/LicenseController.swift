import Hummingbird

/// `GET /api/v1/license`: where the hub's license stands (`unlicensed` without a license service).
struct LicenseController {
    let license: HubLicense

    func addRoutes(to group: RouterGroup<OperatorRequestContext>) {
        group.get { _, _ in try JSONResponse(try await license.status()) }
    }
}
