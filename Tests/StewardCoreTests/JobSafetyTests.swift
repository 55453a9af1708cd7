import Foundation
import StewardCore
import Testing

/// The core rules both hub and agent apply to what a job may carry: environment names, results cut
/// to a size the hub takes, and text cut between characters.
struct JobSafetyTests {
    @Test(
        "loader, shell-control and runner variables are refused as environment names",
        arguments: [
            "BASH_ENV", "ENV", "LD_PRELOAD", "LD_LIBRARY_PATH", "BASH_FUNC_x%%", "BASH_FUNC_echo", "SHELLOPTS", "BASHOPTS", "PS4",
            "PATH", "HOME", "IFS", "STEWARD_OUTPUT", "GCONV_PATH", "GLIBC_TUNABLES", "MALLOC_CHECK_", "LC_ALL", "PROMPT_COMMAND",
            "lower", "1ABC", "A-B", "A B", "", String(repeating: "A", count: 129),
        ])
    func refusedNames(name: String) {
        #expect(EnvironmentName.problem(name) != nil, "\(name)")
    }

    @Test("ordinary input names pass", arguments: ["SERVER_NAME", "ADMIN_PASSWORD", "A", "HTTPS_PORT", "PATHS", "MY_PATH"])
    func acceptedNames(name: String) {
        #expect(EnvironmentName.problem(name) == nil)
    }

    @Test("a result too large for the hub is cut down: contents marked truncated, base64 kept decodable, the exit code kept")
    func fittedResult() throws {
        var read = Wire.Job.StepResult(index: 0, type: .fileRead, exitCode: 0)
        read.content = String(repeating: "é", count: 600_000)
        read.contentEncoding = "utf-8"
        var binary = Wire.Job.StepResult(index: 1, type: .fileRead, exitCode: 0)
        binary.content = Data((0..<400_000).map { UInt8($0 % 251) }).base64EncodedString()
        binary.contentEncoding = "base64"
        var values = Wire.Job.StepResult(index: 2, type: .envRead, exitCode: 0)
        values.values = Dictionary(uniqueKeysWithValues: (0..<1000).map { ("KEY_\($0)", String(repeating: "v", count: 500)) })
        let result = Wire.Job.Result(attempt: 3, exitCode: 0, outputs: ["url": "https://example.com"], steps: [read, binary, values])
        #expect(try Wire.makeEncoder().encode(result).count > 1 << 20)

        let fitted = result.fitted(toBytes: 256 << 10)
        #expect(try Wire.makeEncoder().encode(fitted).count <= 256 << 10)
        #expect(fitted.attempt == 3 && fitted.exitCode == 0)
        #expect(fitted.steps.map(\.exitCode) == [0, 0, 0])
        #expect(fitted.steps[0].truncated == true && fitted.steps[1].truncated == true)
        let cut = try #require(fitted.steps[0].content)
        #expect(String(repeating: "é", count: 600_000).hasPrefix(cut), "a cut keeps whole characters")
        let base64 = try #require(fitted.steps[1].content)
        let bytes = try #require(Data(base64Encoded: base64), "what is left of base64 still decodes")
        #expect(bytes == Data((0..<bytes.count).map { UInt8($0 % 251) }))
        // A result that fits is left alone.
        #expect(Wire.Job.Result(attempt: 1, exitCode: 2).fitted(toBytes: 1024) == Wire.Job.Result(attempt: 1, exitCode: 2))
        // However small the limit, the exit code survives.
        let tiny = result.fitted(toBytes: 300)
        #expect(tiny.exitCode == 0 && tiny.steps.allSatisfy { $0.content == nil && $0.values == nil })
    }

    @Test("a slice of UTF-8 text is cut before a character it would split")
    func utf8Tail() {
        let text = Array("aé€😀".utf8)  // 1 + 2 + 3 + 4 bytes
        #expect(UTF8Tail.incompleteByteCount(text) == 0)
        #expect(UTF8Tail.incompleteByteCount(Array(text.prefix(2))) == 1)  // half of é
        #expect(UTF8Tail.incompleteByteCount(Array(text.prefix(5))) == 2)  // two thirds of €
        #expect(UTF8Tail.incompleteByteCount(Array(text.prefix(9))) == 3)  // three quarters of 😀
        #expect(UTF8Tail.incompleteByteCount(Array(text.prefix(6))) == 0)
        #expect(UTF8Tail.incompleteByteCount([]) == 0)
    }
}
