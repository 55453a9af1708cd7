import Foundation

/// Writes to standard output at once, unbuffered, so messages interleave correctly with the log.
enum Console {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
