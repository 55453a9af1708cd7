import Foundation
import StewardCore

/// Samples not yet delivered. They stay in memory while the hub answers; while it does not, each new
/// one is also appended to a file in the state directory (one JSON line each), so an agent restarted
/// meanwhile still delivers them, with their original times. The file is bounded: past `maxBytes`
/// the oldest half is dropped.
struct MetricsBuffer {
    let path: String
    let maxBytes: Int
    private(set) var pending: [Wire.Metrics.Sample] = []
    /// How many of `pending` the file holds already.
    private var onDisk = 0
    private(set) var dropped = 0

    init(path: String, maxBytes: Int = 8 << 20) {
        self.path = path
        self.maxBytes = maxBytes
        let decoder = Wire.makeDecoder()
        if let data = FileManager.default.contents(atPath: path) {
            for line in data.split(separator: UInt8(ascii: "\n")) {
                if let sample = try? decoder.decode(Wire.Metrics.Sample.self, from: Data(line)) { pending.append(sample) }
            }
            onDisk = pending.count
        }
    }

    mutating func append(_ sample: Wire.Metrics.Sample) {
        pending.append(sample)
    }

    /// The first `count` pending samples reached the hub.
    mutating func delivered(_ count: Int) throws {
        let removed = min(count, pending.count)
        pending.removeFirst(removed)
        let wasOnDisk = onDisk
        onDisk = max(0, onDisk - removed)
        if wasOnDisk > 0 { try rewrite() }
    }

    /// The hub could not be reached: what is not on disk yet goes there.
    mutating func keep() throws {
        guard onDisk < pending.count else { return }
        let lines = try Self.lines(pending[onDisk...])
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: lines)
        onDisk = pending.count
        if (try? handle.offset()).map({ $0 > UInt64(maxBytes) }) == true {
            let half = pending.count / 2
            dropped += half
            pending.removeFirst(half)
            onDisk = pending.count
            try rewrite()
        }
    }

    /// The file replaced by what is still pending on disk (nothing, usually).
    private mutating func rewrite() throws {
        try AtomicFile.write(try Self.lines(pending.prefix(onDisk)), to: path, mode: 0o600)
        onDisk = min(onDisk, pending.count)
    }

    private static func lines(_ samples: ArraySlice<Wire.Metrics.Sample>) throws -> Data {
        let encoder = Wire.makeEncoder()
        var lines = Data()
        for sample in samples {
            lines += try encoder.encode(sample)
            lines.append(UInt8(ascii: "\n"))
        }
        return lines
    }
}
