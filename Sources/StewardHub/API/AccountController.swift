import Foundation
import Hummingbird
import StewardCore

/// `/api/v1/users`, `/invitations`, `/api-tokens`, `/me`, `/tenants`, and the two routes that need no
/// authentication: `POST /auth/tokens` (e-mail and password give a token) and
/// `POST /invitations/accept` (the invitation's token is the credential).
struct AccountController {
    let accounts: AccountService

    func addRoutes(public open: RouterGroup<HubRequestContext>, operators api: RouterGroup<OperatorRequestContext>) {
        open.post("auth/tokens", use: signIn)
        open.post("invitations/accept", use: accept)
        api.get("users", use: users)
        api.patch("users/:id", use: updateUser)
        api.delete("users/:id", use: removeUser)
        api.get("invitations", use: invitations)
        api.post("invitations", use: invite)
        api.delete("invitations/:id", use: revokeInvitation)
        api.get("api-tokens", use: tokens)
        api.post("api-tokens", use: createToken)
        api.delete("api-tokens/:id", use: revokeToken)
        api.post("me/password", use: changePassword)
        api.get("me/sessions", use: sessions)
        api.delete("me/sessions/:id", use: endSession)
        api.get("me/sign-ins", use: signIns)
        api.post("me/totp", use: startTOTP)
        api.post("me/totp/confirm", use: confirmTOTP)
        api.post("me/totp/backup-codes", use: regenerateBackupCodes)
        api.delete("me/totp", use: disableTOTP)
        api.get("tenants", use: tenants)
        api.post("tenants", use: createTenant)
        api.patch("tenants/:id", use: updateTenant)
        api.delete("tenants/:id", use: deleteTenant)
    }

    @Sendable func signIn(request: Request, context: HubRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.APIToken.SignInRequest.self, context: context)
        return try JSONResponse(status: .created, try await accounts.signInForToken(body, from: context.sourceAddress))
    }

    @Sendable func accept(request: Request, context: HubRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.Invitation.AcceptRequest.self, context: context)
        return try JSONResponse(status: .created, try await accounts.accept(body, from: context.sourceAddress))
    }

    @Sendable func users(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(Wire.ItemList(items: try await accounts.users(of: context.requester)))
    }

    @Sendable func updateUser(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.User.UpdateRequest.self, context: context)
        return try JSONResponse(try await accounts.update(userID: try context.parameters.require("id"), body, by: context.requester))
    }

    @Sendable func removeUser(request: Request, context: OperatorRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: Wire.Confirmation.self, context: context, ifEmpty: .init(confirm: nil))
        try await accounts.remove(userID: try context.parameters.require("id"), confirm: body.confirm, by: context.requester)
        return Response(status: .noContent)
    }

    @Sendable func invitations(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(Wire.ItemList(items: try await accounts.invitations(of: context.requester)))
    }

    @Sendable func invite(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.Invitation.CreateRequest.self, context: context)
        let scheme = ConsoleController.isSecure(request) ? "https" : "http"
        let baseURL = "\(scheme)://\(request.head.authority ?? "localhost")"
        return try JSONResponse(status: .created, try await accounts.invite(body, baseURL: baseURL, by: context.requester))
    }

    @Sendable func revokeInvitation(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(try await accounts.revokeInvitation(try context.parameters.require("id"), by: context.requester))
    }

    @Sendable func tokens(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(Wire.ItemList(items: try await accounts.tokens(of: context.requester)))
    }

    @Sendable func createToken(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.APIToken.CreateRequest.self, context: context, ifEmpty: .init())
        return try JSONResponse(status: .created, try await accounts.createToken(body, by: context.requester))
    }

    @Sendable func revokeToken(request: Request, context: OperatorRequestContext) async throws -> Response {
        try await accounts.revokeToken(try context.parameters.require("id"), by: context.requester)
        return Response(status: .noContent)
    }

    @Sendable func changePassword(request: Request, context: OperatorRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: Wire.User.PasswordChange.self, context: context)
        try await accounts.changePassword(body, keeping: nil, by: context.requester)
        return Response(status: .noContent)
    }

    @Sendable func sessions(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(Wire.ItemList(items: try await accounts.sessions(of: context.requester)))
    }

    @Sendable func endSession(request: Request, context: OperatorRequestContext) async throws -> Response {
        try await accounts.endSession(try context.parameters.require("id"), by: context.requester)
        return Response(status: .noContent)
    }

    @Sendable func signIns(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(Wire.ItemList(items: try await accounts.signIns(of: context.requester)))
    }

    @Sendable func startTOTP(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(try await accounts.startTOTP(by: context.requester))
    }

    @Sendable func confirmTOTP(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.TwoFactor.Code.self, context: context)
        return try JSONResponse(try await accounts.confirmTOTP(body, by: context.requester))
    }

    @Sendable func regenerateBackupCodes(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.TwoFactor.Code.self, context: context)
        return try JSONResponse(try await accounts.regenerateBackupCodes(body, by: context.requester))
    }

    @Sendable func disableTOTP(request: Request, context: OperatorRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: Wire.TwoFactor.Code.self, context: context)
        try await accounts.disableTOTP(body, by: context.requester)
        return Response(status: .noContent)
    }

    @Sendable func tenants(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        try JSONResponse(Wire.ItemList(items: try await accounts.tenants(of: context.requester)))
    }

    @Sendable func createTenant(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.Tenant.Request.self, context: context)
        return try JSONResponse(status: .created, try await accounts.createTenant(body, by: context.requester))
    }

    @Sendable func updateTenant(request: Request, context: OperatorRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Wire.Tenant.Request.self, context: context)
        return try JSONResponse(try await accounts.updateTenant(try context.parameters.require("id"), body, by: context.requester))
    }

    @Sendable func deleteTenant(request: Request, context: OperatorRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: Wire.Confirmation.self, context: context, ifEmpty: .init(confirm: nil))
        try await accounts.deleteTenant(try context.parameters.require("id"), confirm: body.confirm, by: context.requester)
        return Response(status: .noContent)
    }
}
