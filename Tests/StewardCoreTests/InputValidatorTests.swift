import Foundation
import StewardCore
import Testing

/// Input values: every type and rule, visibility, generation, and every error at once.
struct InputValidatorTests {
    static let manifest: Manifest = {
        let directory = ManifestTests.fixtures + "/valid/webapp"
        return CatalogLoader.load(directories: [directory]).apps[0].manifest
    }()

    /// The minimum that satisfies the fixture's required inputs.
    static let minimal: [String: InputValue] = ["server_name": "example.com", "acme_email": "ops@example.com"]

    static func check(_ name: String, _ value: String) -> Result<String, InputValueCheck.Failure> {
        InputValueCheck.normalise(value, for: manifest.input(named: name)!)
    }

    @Test("defaults fill what is not given, hidden inputs are dropped, passwords are generated")
    func defaultsAndGeneration() throws {
        let validated = try InputValidator.validate(Self.manifest, given: Self.minimal).get()
        #expect(validated.values["title"] == "My site")
        #expect(validated.values["workers"] == "4")
        #expect(validated.values["enable_ssl"] == "true")
        #expect(validated.values["https_port"] == "443")
        #expect(validated.values["size"] == "small")
        #expect(validated.values["motd"] == nil)
        let password = try #require(validated.values["admin_password"])
        #expect(password.count == 24)
        #expect(password.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(validated.generatedNames == ["admin_password"])
        #expect(validated.secretNames == ["admin_password"])
        #expect(validated.masked["admin_password"] == "****")
        #expect(validated.environment["SERVER_NAME"] == "example.com")
        #expect(validated.environment["ADMIN_PASSWORD"] == password)
    }

    @Test("two generated passwords differ")
    func generatedPasswordsDiffer() throws {
        let first = try InputValidator.validate(Self.manifest, given: Self.minimal).get().values["admin_password"]
        let second = try InputValidator.validate(Self.manifest, given: Self.minimal).get().values["admin_password"]
        #expect(first != second)
    }

    @Test("a hidden input is neither required nor passed on, even when given")
    func visibility() throws {
        var given = Self.minimal
        given["enable_ssl"] = .boolean(false)
        given["https_port"] = "not a port"
        given.removeValue(forKey: "acme_email")
        let validated = try InputValidator.validate(Self.manifest, given: given).get()
        #expect(validated.values["https_port"] == nil)
        #expect(validated.values["acme_email"] == nil)
        #expect(validated.values["enable_ssl"] == "false")
    }

    @Test("every field error is reported at once, unknown inputs included")
    func allErrors() {
        let given: [String: InputValue] = [
            "server_name": "not a domain!", "workers": "0", "https_port": "70000", "acme_email": "nobody",
            "size": "huge", "upstream": "ftp://example.com", "slug": "No Caps", "colour": "blue", "title": "x",
        ]
        guard case .failure(let failure) = InputValidator.validate(Self.manifest, given: given) else {
            Issue.record("invalid values were accepted")
            return
        }
        #expect(
            Set(failure.errors.map(\.field))
                == ["server_name", "workers", "https_port", "acme_email", "size", "upstream", "slug", "colour", "title"])
        #expect(failure.errors.first { $0.field == "colour" }?.message == "is not an input of webapp")
        #expect(failure.errors.first { $0.field == "workers" }?.message == "must be at least 1")
        #expect(failure.errors.first { $0.field == "title" }?.message == "must be at least 2 characters")
    }

    @Test("required inputs must be given; blank counts as not given")
    func required() {
        guard case .failure(let failure) = InputValidator.validate(Self.manifest, given: ["server_name": "   "]) else {
            Issue.record("a blank required value was accepted")
            return
        }
        #expect(failure.errors.map(\.field).sorted() == ["acme_email", "server_name"])
        #expect(failure.errors.allSatisfy { $0.message == "is required" })
    }

    @Test(
        "integers",
        arguments: [
            ("4", "4"), (" 12 ", "12"), ("+7", "7"), ("007", "7"), ("64", "64"),
        ])
    func integersAccepted(raw: String, normalised: String) throws {
        #expect(try Self.check("workers", raw).get() == normalised)
    }

    @Test("integers refused", arguments: ["", "abc", "1.5", "0", "65", "99999999999999999999", "1e3", "４"])
    func integersRefused(raw: String) {
        #expect(throws: InputValueCheck.Failure.self) { try Self.check("workers", raw).get() }
    }

    @Test(
        "ports", arguments: [("1", true), ("65535", true), ("443", true), ("0", false), ("65536", false), ("-1", false), ("http", false)])
    func ports(raw: String, valid: Bool) {
        #expect(((try? Self.check("https_port", raw).get()) != nil) == valid)
    }

    @Test(
        "booleans are spelled true or false",
        arguments: [
            ("true", "true"), ("TRUE", "true"), ("yes", "true"), ("on", "true"), ("1", "true"),
            ("false", "false"), ("No", "false"), ("off", "false"), ("0", "false"),
        ])
    func booleans(raw: String, normalised: String) throws {
        #expect(try Self.check("enable_ssl", raw).get() == normalised)
        #expect(throws: InputValueCheck.Failure.self) { try Self.check("enable_ssl", "maybe").get() }
    }

    @Test(
        "domains follow RFC 1123",
        arguments: [
            ("example.com", true), ("Example.COM.", true), ("a-b.c0.io", true), ("localhost", true),
            ("-lead.com", false), ("trail-.com", false), ("two..dots", false), ("under_score.com", false),
            ("exa mple.com", false), ("bücher.de", false), (String(repeating: "a", count: 64) + ".com", false),
        ])
    func domains(raw: String, valid: Bool) {
        let result = try? Self.check("server_name", raw).get()
        #expect((result != nil) == valid, "\(raw)")
        if valid { #expect(result == result?.lowercased()) }
    }

    @Test(
        "e-mail addresses",
        arguments: [
            ("ops@example.com", true), ("first.last+tag@sub.example.org", true), ("admin@localhost", true),
            ("nobody", false), ("@example.com", false), ("a@b@c", false), ("dot.@example.com", false), ("a@-x.com", false),
            ("spa ce@example.com", false),
        ])
    func emails(raw: String, valid: Bool) {
        #expect(((try? Self.check("acme_email", raw).get()) != nil) == valid, "\(raw)")
    }

    @Test(
        "URLs must be http or https with a host",
        arguments: [
            ("https://example.com", true), ("http://10.0.0.1:8080/path?q=1", true), ("https://[::1]:443/", true),
            ("ftp://example.com", false), ("https://", false), ("example.com", false), ("javascript:alert(1)", false),
            ("https://exa mple.com", false),
        ])
    func urls(raw: String, valid: Bool) {
        #expect(((try? Self.check("upstream", raw).get()) != nil) == valid, "\(raw)")
    }

    @Test("select values must be one of the options")
    func selects() throws {
        #expect(try Self.check("size", "large").get() == "large")
        #expect(throws: InputValueCheck.Failure.self) { try Self.check("size", "Large (8 GB)").get() }
    }

    @Test("surrounding spaces are trimmed except in passwords and text")
    func whitespace() throws {
        #expect(try Self.check("title", "  Hello  ").get() == "Hello")
        #expect(try Self.check("api_key", "  secret  ").get() == "  secret  ")
        #expect(try Self.check("motd", "  line one\n\tline two\n").get() == "  line one\n\tline two\n")
    }

    @Test("control characters and NUL are refused; line breaks only in text")
    func controlCharacters() {
        #expect(throws: InputValueCheck.Failure.self) { try Self.check("title", "a\nb").get() }
        #expect(throws: InputValueCheck.Failure.self) { try Self.check("title", "bell\u{7}").get() }
        #expect(throws: InputValueCheck.Failure.self) { try Self.check("motd", "nul\0byte").get() }
        #expect(throws: InputValueCheck.Failure.self) { try Self.check("api_key", "esc\u{1B}[31m").get() }
        #expect(throws: InputValueCheck.Failure.self) { try Self.check("title", "sep\u{2028}arator").get() }
    }

    @Test("unicode is kept as given and counted in characters")
    func unicode() throws {
        #expect(try Self.check("title", "Café ☕️ 日本").get() == "Café ☕️ 日本")
        // 40 characters (max_length) of a multi-byte letter pass; 41 do not.
        #expect(try Self.check("title", String(repeating: "é", count: 40)).get().count == 40)
        #expect(throws: InputValueCheck.Failure.self) { try Self.check("title", String(repeating: "é", count: 41)).get() }
    }

    @Test("huge values are refused with the limit in the message")
    func huge() {
        let huge = String(repeating: "x", count: 1_000_000)
        #expect(throws: InputValueCheck.Failure("must be at most 4096 characters")) { try Self.check("slug", huge).get() }
        #expect(throws: InputValueCheck.Failure("must be at most 65536 characters")) { try Self.check("motd", huge).get() }
    }

    @Test("patterns are applied to the normalised value")
    func patterns() throws {
        #expect(try Self.check("slug", " my-site ").get() == "my-site")
        #expect(throws: InputValueCheck.Failure("does not match the pattern ^[a-z0-9-]+$")) { try Self.check("slug", "my site").get() }
    }

    @Test("JSON numbers and booleans are accepted for typed inputs")
    func jsonScalars() throws {
        var given = Self.minimal
        given["workers"] = .integer(8)
        given["enable_ssl"] = .boolean(true)
        given["https_port"] = .number(8443)
        let validated = try InputValidator.validate(Self.manifest, given: given).get()
        #expect(validated.values["workers"] == "8")
        #expect(validated.values["https_port"] == "8443")
    }
}
