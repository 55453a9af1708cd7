import Foundation
import StewardCore
import Testing

struct AtomicFileTests {
    @Test("writes replace the whole file with the asked mode and leave no temporary files")
    func write() throws {
        let directory = NSTemporaryDirectory() + "steward-atomic-" + UUID().uuidString
        try AtomicFile.makeDirectory(directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/credentials.json"

        try AtomicFile.write(Data("first, longer content".utf8), to: path)
        try AtomicFile.write(Data("second".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["credentials.json"])
        let directoryMode = try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? Int
        #expect(directoryMode == 0o700)
    }

    @Test("a write into a missing directory fails with the path in the message and creates nothing")
    func failure() {
        let path = "/nonexistent-\(UUID().uuidString)/file"
        #expect {
            try AtomicFile.write(Data("x".utf8), to: path)
        } throws: { error in
            "\(error)".contains("/nonexistent-")
        }
    }
}
