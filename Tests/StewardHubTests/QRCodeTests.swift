import Foundation
import StewardTestSupport
import Testing

@testable import StewardHub

/// The hub's own QR encoder, read back by a real decoder (zbar's `zbarimg`, Debian's zbar-tools,
/// which `scripts/test` installs): what the two-factor page draws is what an authenticator app scans.
struct QRCodeTests {
    static let zbarimg = "/usr/bin/zbarimg"

    /// Decodes the code with zbar from a PBM picture of it (4 pixels a module, quiet zone included).
    static func decode(_ code: QRCode) throws -> String {
        let scale = 4
        let side = (code.size + 8) * scale
        var pixels = "P1\n\(side) \(side)\n"
        for row in 0..<side {
            let y = row / scale - 4
            var line = ""
            for column in 0..<side {
                let x = column / scale - 4
                let dark = (0..<code.size).contains(x) && (0..<code.size).contains(y) && code.isDark(x: x, y: y)
                line += dark ? "1 " : "0 "
            }
            pixels += line + "\n"
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path + "/code.pbm"
        try pixels.write(toFile: file, atomically: true, encoding: .ascii)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: zbarimg)
        process.arguments = ["--raw", "--quiet", "-Sdisable", "-Sqrcode.enable", file]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("zbarimg found no code (exit \(process.terminationStatus))") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    @Test(
        "zbar reads back what the encoder draws, from one byte to version 40",
        arguments: [1, 17, 60, 122, 200, 400, 700, 1200, 2331])
    func roundTrip(length: Int) throws {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:/?&=.-_%")
        var generator = SystemRandomNumberGenerator()
        let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
        let code = try QRCode(text)
        #expect(try Self.decode(code) == text, "\(length) bytes, \(code.size) modules")
    }

    @Test("an otpauth URI fits a small code, and the SVG draws exactly its dark modules")
    func otpauth() throws {
        let uri = "otpauth://totp/Steward:ops%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Steward&digits=6&period=30"
        let code = try QRCode(uri)
        #expect(code.size <= 45, "version 7 or lower")
        #expect(try Self.decode(code) == uri)
        let svg = code.svg()
        let dark = (0..<code.size).flatMap { y in (0..<code.size).filter { code.isDark(x: $0, y: y) } }.count
        #expect(svg.components(separatedBy: "h1v1h-1z").count - 1 == dark)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
    }

    @Test("more than version 40 holds is refused with the size")
    func tooLong() {
        #expect(QRCode.capacity(version: 40) == 2331)
        #expect(QRCode.capacity(version: 1) == 14)
        #expect(throws: QRCode.TooLong.self) { try QRCode(String(repeating: "x", count: 2332)) }
    }
}
