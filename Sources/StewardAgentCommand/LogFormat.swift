import ArgumentParser
import Foundation
import Logging

/// How the process writes its log: readable text for terminals, JSON lines for log collectors.
public enum LogFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json

    /// Bootstraps swift-log once for the whole process; the level comes from `LOG_LEVEL` (default `info`).
    public func bootstrap(label: String) -> Logger {
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                switch self {
                case .text: StreamLogHandler.standardError(label: label)
                case .json: JSONLogHandler(label: label)
                }
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }
}
