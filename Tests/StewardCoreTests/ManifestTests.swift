import Foundation
import StewardCore
import Testing

/// Loading manifests, and the fixture of broken manifests: one per rule, each with the error it must produce.
struct ManifestTests {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures").path

    static var brokenCases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: fixtures + "/broken")) ?? []).sorted()
    }

    @Test("every field of the fixture manifest is read")
    func fullManifest() throws {
        let result = CatalogLoader.load(directories: [Self.fixtures + "/valid/webapp"])
        #expect(result.problems.isEmpty, "\(result.problems)")
        let manifest = try #require(result.apps.first?.manifest)
        #expect(manifest.id == "webapp")
        #expect(manifest.version == "2.1.0")
        #expect(manifest.category == "web-servers")
        #expect(manifest.osRequirements == .init(family: ["debian", "ubuntu"], minVersion: "11"))
        #expect(
            manifest.inputs.map(\.type) == [
                .domain, .string, .text, .integer, .boolean, .port, .email, .select, .url, .string, .password, .password,
            ])
        #expect(manifest.input(named: "workers")?.defaultValue == "4")
        #expect(manifest.input(named: "workers")?.rules.max == 64)
        #expect(manifest.input(named: "https_port")?.visibleIf == ["enable_ssl": ["true"]])
        #expect(manifest.input(named: "size")?.options.map(\.label) == ["small", "Large (8 GB)"])
        #expect(manifest.input(named: "admin_password")?.generateLength == 24)
        #expect(manifest.input(named: "motd")?.help == "Shown on the front page")
        #expect(manifest.input(named: "upstream")?.label == "Upstream")
        #expect(manifest.scripts.all.map(\.role) == [.install, .uninstall, .health])
        #expect(manifest.retry == .init(maxAttempts: 4, backoffSeconds: [1, 2, 3]))
        #expect(manifest.timeoutSeconds == 300)
        #expect(manifest.idempotent)
        #expect(manifest.outputs == ["admin_url", "admin_user", "admin_token"])
        #expect(manifest.secretOutputs == ["admin_token"])
    }

    @Test("backup paths and the backup, restore and upgrade scripts are read")
    func backupFields() throws {
        let parsed = ManifestParser.parse(
            """
            id: keeper
            name: Keeper
            version: "2"
            scripts: {install: install.sh, upgrade: upgrade.sh, backup: backup.sh, restore: restore.sh}
            backup:
              paths: [/etc/keeper, /var/lib/keeper/uploads]
            """, file: "keeper.yml")
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        let manifest = try #require(parsed.manifest)
        #expect(manifest.backupPaths == ["/etc/keeper", "/var/lib/keeper/uploads"])
        #expect(manifest.scripts.all.map(\.role) == [.install, .upgrade, .backup, .restore])
        #expect(manifest.canBackUp)
        let unknown = ManifestParser.parse(
            "id: k\nname: K\nversion: 1\nscripts: {install: i.sh}\nbackup: {paths: [/etc/k], files: [/x]}\n", file: "k.yml")
        #expect(unknown.problems.contains { $0.path == "backup.files" }, "unknown keys are errors here too")
    }

    @Test("a manifest of the earlier platform loads unchanged")
    func legacyManifest() throws {
        let result = CatalogLoader.load(directories: [Self.fixtures + "/valid/legacy"])
        #expect(result.problems.isEmpty, "\(result.problems)")
        let manifest = try #require(result.apps.first?.manifest)
        #expect(manifest.scripts.install == "install.sh")
        #expect(manifest.input(named: "enable_ssl")?.defaultValue == "true")
        #expect(manifest.input(named: "flavour")?.options.map(\.value) == ["light", "full"])
        #expect(manifest.retry == .standard)
    }

    @Test("each broken manifest produces its error, with the file and line", arguments: brokenCases)
    func broken(name: String) throws {
        let directory = Self.fixtures + "/broken/" + name
        let expected = try String(contentsOfFile: directory + "/expected.txt", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let result = CatalogLoader.load(directories: [directory])
        let descriptions = result.problems.map(\.description)
        #expect(descriptions.contains { $0.contains(expected) }, "expected '\(expected)' in \(descriptions)")
        #expect(result.problems.allSatisfy { $0.file.hasPrefix(directory) })
        #expect(result.apps.isEmpty || name == "id-duplicate")
    }

    @Test("problems carry 1-based line numbers from the YAML")
    func lineNumbers() {
        let yaml = """
            id: lines
            name: Lines
            version: 1
            inputs:
              - name: ok
              - name: port
                type: port
                default: "0"
            scripts: {install: install.sh}
            """
        let parsed = ManifestParser.parse(yaml, file: "lines.yml")
        let manifest = parsed.manifest!
        let problems = ManifestValidator.validate(manifest, parsed: parsed, directory: "/nonexistent")
        let defaultProblem = problems.first { $0.path == "inputs[1].default" }
        #expect(defaultProblem?.line == 8)
        #expect(problems.first { $0.path == "scripts.install" }?.line == 9)
    }

    @Test("the shipped catalog lints clean")
    func shippedCatalog() throws {
        // Tests/StewardCoreTests/ManifestTests.swift → the repository root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let result = CatalogLoader.load(directories: [root.appendingPathComponent("catalog").path])
        #expect(result.problems.isEmpty, "\(result.problems.map(\.description).joined(separator: "\n"))")
    }

    @Test("OS versions compare numerically part by part")
    func osVersions() throws {
        #expect(try #require(OSVersion("11")) < #require(OSVersion("12")))
        #expect(try #require(OSVersion("20.04")) < #require(OSVersion("22.04")))
        #expect(try #require(OSVersion("12")) == #require(OSVersion("12.0")))
        #expect(try #require(OSVersion("9")) < #require(OSVersion("10")))
        #expect(OSVersion("bookworm") == nil)
        #expect(OSVersion("") == nil)
    }
}
