import Foundation

/// A POSIX ustar archive of files (and the folders they are in), built in memory, and read back:
/// the config export and hub backups. Both are written and read whole; a streaming writer would be
/// more than they need so far.
struct TarArchive {
    enum Failure: Error, CustomStringConvertible {
        case nameTooLong(String)
        case damaged(String)

        var description: String {
            switch self {
            case .nameTooLong(let name): "\(name) is too long for a tar archive"
            case .damaged(let what): "the archive is damaged: \(what)"
            }
        }
    }

    private(set) var data = Data()
    private var folders: Set<String> = []
    let modified: Date

    init(modified: Date) {
        self.modified = modified
    }

    /// Adds a file at `path` (relative, `/`-separated), after entries for the folders above it.
    mutating func add(file path: String, content: Data) throws {
        var folder = ""
        for part in path.split(separator: "/").dropLast() {
            folder += part + "/"
            if folders.insert(folder).inserted { try append(header(name: folder, size: 0, type: "5", mode: 0o755)) }
        }
        try append(header(name: path, size: content.count, type: "0", mode: 0o644))
        data.append(content)
        data.append(Data(count: (512 - content.count % 512) % 512))
    }

    /// The regular files of a ustar archive (as this type writes them), by path.
    static func files(in archive: Data) throws -> [String: Data] {
        let bytes = [UInt8](archive)
        var files: [String: Data] = [:]
        var offset = 0
        func text(_ range: Range<Int>) -> String {
            String(decoding: bytes[range].prefix { $0 != 0 }, as: UTF8.self)
        }
        while offset + 512 <= bytes.count {
            let header = offset..<(offset + 512)
            if bytes[header].allSatisfy({ $0 == 0 }) { break }
            let name = text(offset..<(offset + 100))
            let prefix = text((offset + 345)..<(offset + 500))
            let sizeText = text((offset + 124)..<(offset + 136)).trimmingCharacters(in: .whitespaces)
            guard let size = Int(sizeText, radix: 8), size >= 0, offset + 512 + size <= bytes.count else {
                throw Failure.damaged("entry \(name) has a size that does not fit the archive")
            }
            let type = bytes[offset + 156]
            if type == UInt8(ascii: "0") || type == 0 {
                files[prefix.isEmpty ? name : prefix + "/" + name] = Data(bytes[(offset + 512)..<(offset + 512 + size)])
            }
            offset += 512 + (size + 511) / 512 * 512
        }
        return files
    }

    /// The archive with its end: two blocks of zeros.
    func finished() -> Data {
        data + Data(count: 1024)
    }

    private mutating func append(_ header: Data) throws {
        data.append(header)
    }

    private func header(name: String, size: Int, type: Character, mode: Int) throws -> Data {
        var block = [UInt8](repeating: 0, count: 512)
        let bytes = Array(name.utf8)
        var prefix: [UInt8] = []
        var rest = bytes
        if bytes.count > 100 {
            // ustar splits a long name at a "/" into a prefix (≤ 155) and a name (≤ 100).
            guard let split = bytes.indices.last(where: { bytes[$0] == UInt8(ascii: "/") && $0 <= 155 && bytes.count - $0 - 1 <= 100 })
            else { throw Failure.nameTooLong(name) }
            prefix = Array(bytes[..<split])
            rest = Array(bytes[(split + 1)...])
        }
        func put(_ value: [UInt8], at offset: Int) {
            for (index, byte) in value.enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, width: Int) -> [UInt8] {
            Array(String(String(value, radix: 8).suffix(width - 1)).leftPadded(to: width - 1).utf8) + [0]
        }
        put(rest, at: 0)
        put(octal(mode, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(size, width: 12), at: 124)
        put(octal(Int(modified.timeIntervalSince1970), width: 12), at: 136)
        put(Array(repeating: UInt8(ascii: " "), count: 8), at: 148)
        put(Array(String(type).utf8), at: 156)
        put(Array("ustar\0".utf8), at: 257)
        put(Array("00".utf8), at: 263)
        put(Array("root".utf8), at: 265)
        put(Array("root".utf8), at: 297)
        put(prefix, at: 345)
        let checksum = block.reduce(0) { $0 + Int($1) }
        put(Array(String(String(checksum, radix: 8)).leftPadded(to: 6).utf8) + [0, UInt8(ascii: " ")], at: 148)
        return Data(block)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
