import Foundation
import HTTPTypes
import HummingbirdOTP
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardHub

/// TOTP codes against RFC 6238's published vectors, the acceptance window and replay, and two-factor
/// sign-in through the API with an injected clock.
struct TwoFactorTests {
    @Test(
        "the TOTP computation matches RFC 6238's test vectors (SHA-1, 8 digits)",
        arguments: [
            (59, 94_287_082), (1_111_111_109, 7_081_804), (1_111_111_111, 14_050_471), (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037), (20_000_000_000, 65_353_130),
        ])
    func rfcVectors(seconds: Int, code: Int) {
        let totp = TOTP(secret: "12345678901234567890", length: 8, timeStep: 30)
        #expect(totp.compute(date: Date(timeIntervalSince1970: TimeInterval(seconds))) == code)
    }

    @Test("a code is good for its step and one step either side, once, and only as six digits")
    func window() {
        let secret = TwoFactor.newSecret()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let step = TwoFactor.step(at: now)
        func code(_ offset: Int64) -> String {
            String(format: "%06d", TwoFactor.totp(secret).compute(date: Date(timeIntervalSince1970: TimeInterval((step + offset) * 30))))
        }
        #expect(TwoFactor.acceptedStep(code(0), secret: secret, now: now, after: nil) == step)
        #expect(TwoFactor.acceptedStep(code(-1), secret: secret, now: now, after: nil) == step - 1)
        #expect(TwoFactor.acceptedStep(code(1), secret: secret, now: now, after: nil) == step + 1)
        #expect(TwoFactor.acceptedStep(code(2), secret: secret, now: now, after: nil) == nil || code(2) == code(0))
        #expect(TwoFactor.acceptedStep(code(0), secret: secret, now: now, after: step) == nil, "a used step is refused")
        #expect(TwoFactor.acceptedStep("12345", secret: secret, now: now, after: nil) == nil)
        #expect(TwoFactor.acceptedStep("abcdef", secret: secret, now: now, after: nil) == nil)
        #expect(TwoFactor.uri(secret: secret, account: "a@example.com").hasPrefix("otpauth://totp/Steward:a@example.com?secret="))
        #expect(Set(TwoFactor.newBackupCodes()).count == TwoFactor.backupCodeCount)
        #expect(TwoFactor.backupCodeHash("ABCDE-fghjk") == TwoFactor.backupCodeHash("abcdefghjk"))
    }

    /// The secret behind the base32 text an authenticator app is given.
    static func secret(fromBase32 text: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0
        var value = 0
        var bytes: [UInt8] = []
        for character in text {
            guard let index = alphabet.firstIndex(of: character) else { continue }
            value = (value << 5) | index
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8((value >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("two-factor sign-in: confirmed by a first code, then required; codes and backup codes work once; a tenant can require it")
    func signIn() async throws {
        let clock = ManualClock()
        try await HubTestApp.run(clock: clock.hubClock) { client in
            let setup = try await client.send(.post, "/api/v1/me/totp", json: "{}").decode(Wire.TwoFactor.Setup.self)
            #expect(setup.otpauthURI.contains("secret=\(setup.secret)"))
            let secret = Self.secret(fromBase32: setup.secret)
            func code() -> String { String(format: "%06d", TwoFactor.totp(secret).compute(date: clock.now)) }
            let wrong = try await client.send(.post, "/api/v1/me/totp/confirm", json: #"{"otp": "000000"}"#)
            #expect(wrong.status == .unprocessableContent || code() == "000000")
            let confirmed = try await client.send(.post, "/api/v1/me/totp/confirm", body: Wire.TwoFactor.Code(otp: code()))
            #expect(confirmed.status == .ok, "\(confirmed.text)")
            let backup = try confirmed.decode(Wire.TwoFactor.BackupCodes.self).backupCodes
            #expect(backup.count == 10)

            func signIn(_ otp: String?) async throws -> HubTestApp.Client.Answer {
                try await client.send(
                    .post, "/api/v1/auth/tokens",
                    body: Wire.APIToken.SignInRequest(email: "owner@example.com", password: "correct horse battery staple", otp: otp),
                    bearer: nil)
            }
            #expect(try await signIn(nil).problem?.code == "otp_required")
            #expect(try await signIn(code()).problem?.code == "otp_invalid", "the code that confirmed cannot be used again")
            clock.advance(by: 30)
            let current = code()
            #expect(try await signIn(current).status == .created)
            #expect(try await signIn(current).problem?.code == "otp_invalid", "a code is good once")
            #expect(try await signIn(backup[0]).status == .created)
            #expect(try await signIn(backup[0]).problem?.code == "otp_invalid", "a backup code is good once")
            clock.advance(by: 90)
            #expect(try await signIn("123456").problem?.code == "otp_invalid" || code() == "123456")

            // Off again, with a code; then a tenant that requires it refuses an owner without it.
            clock.advance(by: 30)
            #expect(try await client.send(.delete, "/api/v1/me/totp", body: Wire.TwoFactor.Code(otp: code())).status == .noContent)
            #expect(try await signIn(nil).status == .created)
            let require = try await client.send(.patch, "/api/v1/tenants/default", json: #"{"require_two_factor": true}"#)
            #expect(require.status == .ok, "\(require.text)")
            #expect(try await signIn(nil).problem?.code == "two_factor_required")
        }
    }

    @Test("the console's sign-in asks for the two-factor code when it is on, and takes a code once")
    func consoleSignIn() async throws {
        let clock = ManualClock()
        try await HubTestApp.run(clock: clock.hubClock) { client in
            let setup = try await client.send(.post, "/api/v1/me/totp", json: "{}").decode(Wire.TwoFactor.Setup.self)
            let secret = Self.secret(fromBase32: setup.secret)
            func code() -> String { String(format: "%06d", TwoFactor.totp(secret).compute(date: clock.now)) }
            #expect(try await client.send(.post, "/api/v1/me/totp/confirm", body: Wire.TwoFactor.Code(otp: code())).status == .ok)
            clock.advance(by: 30)

            func signIn(otp: String) async throws -> HubTestApp.Client.Answer {
                let browser = ConsoleTests.Browser(client)
                let page = try await browser.get("/login")
                return try await browser.post(
                    "/login",
                    [
                        "email": "owner@example.com", "password": "correct horse battery staple", "otp": otp, "next": "/servers",
                        "_csrf": try ConsoleTests.Browser.csrf(in: page.text),
                    ])
            }
            let missing = try await signIn(otp: "")
            #expect(missing.status == .unauthorized && missing.text.contains("Enter the code from your authenticator app."))
            let current = code()
            let good = try await signIn(otp: current)
            #expect(good.status == .seeOther && good.headers[.location] == "/servers")
            let replayed = try await signIn(otp: current)
            #expect(replayed.status == .unauthorized && replayed.text.contains("used already"))
        }
    }
}
