import CompressNIO
import Crypto
import Foundation
import NIOCore
import StewardCore

/// Writes a bare git repository from scratch: loose objects (zlib-compressed, named by SHA-1),
/// `refs/heads/main` and `HEAD`. Enough for `git clone`, `git log` and a clean `git fsck`; no git
/// program is needed on the hub.
struct GitRepository {
    /// One commit's author, time and message, and the files of its tree (path → content).
    struct Commit {
        var authorName: String
        var authorEmail: String
        var date: Date
        var message: String
        var files: [String: Data]
    }

    /// Files of the repository by path inside it (`HEAD`, `objects/ab/cdef…`), with their bytes.
    private(set) var files: [String: Data] = [:]
    private(set) var head: String?

    /// Adds a commit on top of the last one; the tree is exactly `commit.files`.
    mutating func commit(_ commit: Commit) throws {
        let tree = try writeTree(commit.files)
        var text = "tree \(tree)\n"
        if let head { text += "parent \(head)\n" }
        let signature =
            "\(Self.clean(commit.authorName)) <\(Self.clean(commit.authorEmail))> \(Int64(commit.date.timeIntervalSince1970)) +0000"
        text += "author \(signature)\ncommitter \(signature)\n\n\(commit.message)"
        if !text.hasSuffix("\n") { text += "\n" }
        head = try writeObject("commit", Data(text.utf8))
    }

    /// The repository's files, with its ref and configuration, ready to archive.
    func repositoryFiles() -> [String: Data] {
        var all = files
        all["HEAD"] = Data("ref: refs/heads/main\n".utf8)
        all["config"] = Data("[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n".utf8)
        all["description"] = Data("Config history exported by Steward\n".utf8)
        if let head { all["refs/heads/main"] = Data("\(head)\n".utf8) }
        return all
    }

    /// Writes the tree of `files` (nested trees for directories) and returns its id.
    private mutating func writeTree(_ files: [String: Data]) throws -> String {
        var blobs: [String: Data] = [:]
        var folders: [String: [String: Data]] = [:]
        for (path, content) in files {
            let parts = path.split(separator: "/", maxSplits: 1)
            if parts.count == 2 {
                folders[String(parts[0]), default: [:]][String(parts[1])] = content
            } else {
                blobs[path] = content
            }
        }
        // (mode, name, id); git orders a tree's entries by name, a folder's as if it ended in "/".
        var entries: [(mode: String, name: String, id: String)] = []
        // A path that was a file once and a folder later cannot be both in one tree: the folder wins.
        for (name, content) in blobs where folders[name] == nil { entries.append(("100644", name, try writeObject("blob", content))) }
        for (name, inner) in folders { entries.append(("40000", name, try writeTree(inner))) }
        entries.sort {
            Array(($0.mode == "40000" ? $0.name + "/" : $0.name).utf8).lexicographicallyPrecedes(
                Array(($1.mode == "40000" ? $1.name + "/" : $1.name).utf8))
        }
        var body = Data()
        for entry in entries {
            body.append(Data("\(entry.mode) \(entry.name)\0".utf8))
            body.append(Self.bytes(ofHex: entry.id))
        }
        return try writeObject("tree", body)
    }

    /// Stores an object as git does, `type size\0content` deflated under its SHA-1, and returns the id.
    @discardableResult
    private mutating func writeObject(_ type: String, _ content: Data) throws -> String {
        var raw = Data("\(type) \(content.count)\0".utf8)
        raw.append(content)
        let id = Hex.encode(Insecure.SHA1.hash(data: raw))
        let path = "objects/\(id.prefix(2))/\(id.dropFirst(2))"
        if files[path] == nil {
            var buffer = ByteBuffer(bytes: raw)
            let compressed = try buffer.compress(with: .zlib())
            files[path] = Data(compressed.readableBytesView)
        }
        return id
    }

    /// A name or e-mail with nothing that would break the `author` line.
    private static func clean(_ text: String) -> String {
        String(text.filter { !"<>\n\r\0".contains($0) })
    }

    private static func bytes(ofHex hex: String) -> Data {
        var data = Data()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            data.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return data
    }
}
