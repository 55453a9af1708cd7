import Foundation
import StewardCore

/// What the config history pages show.
extension ConsolePages {
    /// A server's tracked files, each with its latest version.
    struct ConfigFiles {
        var title: String
        var chrome: Chrome
        var serverID: String
        var serverName: String
        var csrf: String
        var error: String?
        var files: [ConfigFileRow]
        var hasFiles: Bool
        var canRun: Bool
    }

    struct ConfigFileRow {
        var path: String
        /// The query that opens the file's versions (`path=` percent-encoded).
        var query: String
        var sha: String
        var size: String
        var source: String
        var author: String
        var when: String
        var deleted: Bool
    }

    /// One file's versions, newest first, to compare and restore.
    struct ConfigVersions {
        var title: String
        var chrome: Chrome
        var serverID: String
        var serverName: String
        var path: String
        var csrf: String
        var error: String?
        var versions: [ConfigVersionRow]
        var canCompare: Bool
        var canRestore: Bool
    }

    struct ConfigVersionRow {
        var id: String
        var shortID: String
        var sha: String
        var size: String
        var source: String
        var author: String
        var jobID: String?
        var when: String
        var deleted: Bool
        var restorable: Bool
        /// The two newest are compared unless the operator picks others.
        var fromChecked: Bool
        var toChecked: Bool
    }

    /// A unified diff, line by line, for colouring.
    struct ConfigDiff {
        var title: String
        var chrome: Chrome
        var serverID: String
        var serverName: String
        var path: String
        var query: String
        var from: String
        var to: String
        var lines: [DiffLine]
        var same: Bool
    }

    struct DiffLine {
        /// `add`, `remove`, `hunk`, `file` or `context`.
        var kind: String
        var text: String
    }
}
