import Logging
import Synchronization

/// Keeps every log line (message and metadata, at every level) in memory, so a test can prove that
/// something never reached the log.
public final class LogRecording: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// A logger at `trace` that writes here.
    public func logger(label: String) -> Logger {
        var logger = Logger(label: label) { label in Handler(recording: self, label: label) }
        logger.logLevel = .trace
        return logger
    }

    /// Everything logged so far, one line per entry.
    public var text: String { lines.withLock { $0.joined(separator: "\n") } }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    fileprivate struct Handler: LogHandler {
        let recording: LogRecording
        let label: String
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            recording.append("\(event.level) \(label) \(event.message) \(merged) \(event.error.map { String(reflecting: $0) } ?? "")")
        }
    }
}
