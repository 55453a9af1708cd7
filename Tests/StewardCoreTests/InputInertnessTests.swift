import Foundation
import PropertyBased
import StewardCore
import Testing

/// Values that look like shell code must reach the script as data: a real `/bin/sh` prints them back byte for byte,
/// and nothing they seem to ask for happens.
struct InputInertnessTests {
    static let injections = [
        "$(touch PWNED)", "`touch PWNED`", "; touch PWNED", "x && touch PWNED", "| touch PWNED", "$((1+1))", "${PATH}",
        "'; touch PWNED; echo '", "\"; touch PWNED; echo \"", "> PWNED", "*", "~", "$HOME", "\\$(touch PWNED)",
    ]

    @Test("injection-looking values arrive in a real shell script as inert data", arguments: injections)
    func inertInShell(value: String) throws {
        let directory = NSTemporaryDirectory() + "steward-inert-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let manifest = InputValidatorTests.manifest
        var given = InputValidatorTests.minimal
        given["api_key"] = .text(value)
        given["motd"] = .text("first line\n" + value)
        let environment = try InputValidator.validate(manifest, given: given).get().environment

        // The way catalog scripts use their inputs: quoted expansions.
        let script = #"set -eu; printf '%s' "$API_KEY" > key.out; printf '%s' "$MOTD" > motd.out"#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { given, _ in given }
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try String(contentsOfFile: directory + "/key.out", encoding: .utf8) == value)
        #expect(try String(contentsOfFile: directory + "/motd.out", encoding: .utf8) == "first line\n" + value)
        #expect(!FileManager.default.fileExists(atPath: directory + "/PWNED"))
    }

    @Test("any printable single-line string either validates to itself, trimmed, or is refused — never changed otherwise")
    func stringsRoundTrip() async {
        let spec = InputValidatorTests.manifest.input(named: "slug")!
        var free = spec
        free.rules = .init()
        await propertyCheck(count: 300, input: Gen.character(in: "\u{01}"..."\u{3000}").string(of: 0...60)) { text in
            switch InputValueCheck.normalise(text, for: free) {
            case .success(let value):
                #expect(value == text.trimmingCharacters(in: .whitespacesAndNewlines))
                #expect(!value.unicodeScalars.contains { $0.properties.generalCategory == .control })
            case .failure:
                #expect(text.unicodeScalars.contains { $0.properties.generalCategory == .control || $0 == "\u{2028}" || $0 == "\u{2029}" })
            }
        }
    }

    @Test("every integer in range validates to its canonical text; every one outside is refused")
    func integerProperty() async {
        let spec = InputValidatorTests.manifest.input(named: "workers")!
        await propertyCheck(count: 300, input: Gen.int(in: -1000...1000)) { number in
            let result = try? InputValueCheck.normalise(" \(number) ", for: spec).get()
            #expect(result == ((1...64).contains(number) ? String(number) : nil))
        }
    }

    @Test("generated passwords have the asked length and only letters and digits")
    func generatedPasswords() async {
        await propertyCheck(count: 100, input: Gen.int(in: 8...256)) { length in
            let password = PasswordGenerator.generate(length: length)
            #expect(password.count == length)
            #expect(password.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        }
    }
}
