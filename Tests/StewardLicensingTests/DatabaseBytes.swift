import Foundation
import HTTPTypes
import StewardHub
import StewardTestSupport

/// Every byte of a SQLite database as stored on disk (the file, its write-ahead log and shared
/// memory), so a test can prove a string never reached it in any form SQLite keeps.
enum DatabaseBytes {
    static func read(_ location: DatabaseLocation) throws -> Data {
        guard case .sqlite(let path) = location else { throw TestFailure("DatabaseBytes reads SQLite files only") }
        var bytes = Data()
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            bytes.append(try Data(contentsOf: URL(fileURLWithPath: file)))
        }
        return bytes
    }

    /// Every place `prefix` occurs in `bytes`, with the 32 bytes that follow it: one pass, however
    /// big the database.
    static func occurrences(of prefix: String, in bytes: Data) -> [String] {
        let needle = Array(prefix.utf8)
        let haystack = [UInt8](bytes)
        var found: [String] = []
        var index = 0
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0], Array(haystack[index..<index + needle.count]) == needle {
                found.append(String(decoding: haystack[index..<min(haystack.count, index + needle.count + 32)], as: UTF8.self))
                index += needle.count
            } else {
                index += 1
            }
        }
        return found
    }
}
