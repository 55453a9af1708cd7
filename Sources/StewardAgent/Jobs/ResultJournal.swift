import Foundation
import StewardCore

/// Results the hub has not acknowledged yet, on disk, so that neither a hub that is down nor an
/// agent restart loses one. Every finished attempt is written here before it is sent and removed
/// once the hub has it; on start the agent delivers what is left, oldest first, before new work.
///
/// Entries hold only what already left the script masked: log lines and outputs with secrets as `****`.
struct ResultJournal: Sendable {
    struct Entry: Codable, Sendable, Equatable {
        var jobID: String
        var attempt: Int
        /// The end of the attempt's log that could not be shipped yet.
        var lines: [String]
        var result: Wire.Job.Result

        enum CodingKeys: String, CodingKey {
            case attempt, lines, result
            case jobID = "job_id"
        }
    }

    /// A journal keeps at most this many undelivered log lines per attempt: the tail.
    static let maxLines = 2_000
    /// A result is cut down to this size before it is journaled (the hub takes bodies up to 1 MiB).
    static let maxResultBytes = 512 << 10

    let directory: String

    init(directory: String) throws {
        try AtomicFile.makeDirectory(directory)
        self.directory = directory
    }

    /// Writes `entry` (atomically) and returns its file's path.
    func record(_ entry: Entry) throws -> String {
        var entry = entry
        entry.lines = Array(entry.lines.suffix(Self.maxLines))
        let millis = Int64(Date().timeIntervalSince1970 * 1000)
        let path = directory + "/" + String(format: "%015lld", millis) + "-\(entry.jobID)-\(entry.attempt).json"
        try rewrite(entry, at: path)
        return path
    }

    func rewrite(_ entry: Entry, at path: String) throws {
        try AtomicFile.write(try Wire.makeEncoder().encode(entry), to: path, mode: 0o600)
    }

    /// What is waiting for the hub, oldest first. Unreadable entries are skipped (and left in place).
    func pending() -> [(path: String, entry: Entry)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().compactMap { name in
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path),
                let entry = try? Wire.makeDecoder().decode(Entry.self, from: data)
            else { return nil }
            return (path, entry)
        }
    }

    func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
