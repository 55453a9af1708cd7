import Foundation
import StewardCore
import Testing

struct TelemetryRedactorTests {
    static let start = Date(timeIntervalSince1970: 1_796_000_000)

    /// A window with every declared member filled.
    static func fullWindow() -> Wire.Telemetry.Window {
        Wire.Telemetry.Window(
            instanceID: "0f8e4c1a-8d1e-4d6b-9b8a-2c6f1e0d9a11", windowStart: start, windowEnd: start.addingTimeInterval(3600),
            hubVersion: "0.1.0", database: "postgresql", users: 4,
            servers: .init(total: 3, byStatus: ["online": 2, "offline": 1], byOS: ["debian-12": 2, "ubuntu-24": 1]),
            agentVersions: ["0.1.0": 2, "0.2.0-rc.1": 1],
            jobs: [
                .init(kind: "install", status: "succeeded", app: "nginx", count: 5, p50Ms: 1200, p95Ms: 3400.5),
                .init(kind: "shell", status: "failed", app: nil, count: 1, p50Ms: 20, p95Ms: 20),
            ],
            errorCodes: ["failed": 1, "timed_out": 0], appsInstalled: ["nginx": 2, "other": 1])
    }

    @Test("every member of a window is declared: a full window passes untouched")
    func fullWindowPasses() throws {
        let value = try JSONValue(encoding: Self.fullWindow())
        let result = TelemetryRedactor().redact(value)
        #expect(result.droppedFields == 0)
        #expect(result.value == value)
    }

    @Test("undeclared members, wrong types and words outside the vocabularies are dropped and counted")
    func dropsAndCounts() throws {
        guard case .object(var fields) = try JSONValue(encoding: Self.fullWindow()) else {
            Issue.record("not an object")
            return
        }
        fields["error_message"] = .string("disk full on /srv/customer-a")  // undeclared
        fields["users"] = .string("4")  // wrong type
        fields["database"] = .string("mysql")  // outside the vocabulary
        fields["servers"] = .object(["total": .number(3), "by_os": .object(["debian-12": .number(1), "acme-prod-db": .number(1)])])
        fields["jobs"] = .array([.object(["kind": .string("install"), "app": .string("acme-billing"), "count": .number(-1)])])
        let result = TelemetryRedactor().redact(.object(fields))
        #expect(result.droppedFields == 6)
        guard case .object(let kept) = result.value else {
            Issue.record("not an object")
            return
        }
        #expect(kept["error_message"] == nil && kept["users"] == nil && kept["database"] == nil)
        #expect(kept["servers"] == .object(["total": .number(3), "by_os": .object(["debian-12": .number(1)])]))
        #expect(kept["jobs"] == .array([.object(["kind": .string("install")])]))
    }

    @Test("tables and lists are cut at their bound, each dropped entry counted")
    func bounds() {
        let versions = (0..<(TelemetryAllowList.maxTableEntries + 7)).map { ("1.0.\($0)", JSONValue.number(1)) }
        let result = TelemetryRedactor().redact(.object(["agent_versions": .object(Dictionary(uniqueKeysWithValues: versions))]))
        #expect(result.droppedFields == 7)
    }

    @Test(
        "strings that fit a pattern but look like secrets are dropped",
        arguments: [
            "stw_api_0123456789abcdef", "AKIAIOSFODNN7EXAMPLEKEY1", "-----BEGIN PRIVATE KEY-----", "Bearer abc",
        ])
    func secretShapes(text: String) {
        #expect(!TelemetryRedactor.allows(text, by: .word([text])))
    }

    @Test("no word of a vocabulary looks like a secret")
    func vocabulariesPass() {
        for word in TelemetryVocabulary.apps.union(TelemetryVocabulary.osIDs).union(TelemetryVocabulary.jobKinds)
            .union(TelemetryVocabulary.jobStatuses).union(TelemetryVocabulary.errorCodes)
        {
            #expect(TelemetryRedactor.allows(word, by: .word([word])), "\(word)")
        }
    }

    @Test(
        "patterns take only what they name",
        arguments: [
            ("1.2.3", TelemetryRule.version, true), ("1.2.3-rc.2", .version, true), ("1.2.3-hotfix-for-acme", .version, false),
            ("2026-12-07T18:00:00Z", .timestamp, true), ("2026-12-07 18:00", .timestamp, false),
            ("debian-12", .osRelease, true), ("acmeos-3", .osRelease, false), ("other", .osRelease, true),
            ("0f8e4c1a-8d1e-4d6b-9b8a-2c6f1e0d9a11", .identifier, true), ("0F8E4C1A-8D1E-4D6B-9B8A-2C6F1E0D9A11", .identifier, false),
        ])
    func patterns(text: String, rule: TelemetryRule, allowed: Bool) {
        #expect(TelemetryRedactor.allows(text, by: rule) == allowed)
    }
}

struct JSONValueTests {
    @Test("a document nested beyond reason is refused, not followed down until the stack ends")
    func deepNesting() {
        let depth = 100_000
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: (any Error).self) { try Wire.makeDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
    }
}
