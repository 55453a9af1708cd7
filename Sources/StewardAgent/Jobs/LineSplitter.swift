/// Cuts a byte stream into lines: at `\n` (a trailing `\r` is dropped), and every `maxLength` bytes
/// when a line runs on (progress bars, binary output), so no output can exhaust memory.
struct LineSplitter {
    let maxLength: Int
    private var pending: [UInt8] = []

    init(maxLength: Int = 16 * 1024) {
        self.maxLength = maxLength
    }

    /// The complete lines in `bytes`, with what came before them; the rest waits for more bytes.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                lines.append(Self.text(pending))
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
                if pending.count >= maxLength {
                    lines.append(Self.text(pending))
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
        return lines
    }

    /// What is left when the stream ends, if anything.
    mutating func finish() -> String? {
        defer { pending.removeAll() }
        return pending.isEmpty ? nil : Self.text(pending)
    }

    /// Invalid UTF-8 becomes U+FFFD rather than failing the job's log.
    private static func text(_ bytes: [UInt8]) -> String {
        var line = bytes[...]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        return String(decoding: line, as: UTF8.self)
    }
}
