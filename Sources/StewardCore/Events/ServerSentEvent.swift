/// One message of a `text/event-stream` (the Server-Sent Events format): how the hub writes its
/// event and log streams, and how the CLI and the tests read them.
public struct ServerSentEvent: Sendable, Equatable {
    /// The `event:` field; `nil` means the default type, `message`.
    public var event: String?
    /// The `id:` field, which a client sends back as `Last-Event-ID` when it reconnects.
    public var id: String?
    public var data: String

    public init(event: String? = nil, id: String? = nil, data: String) {
        self.event = event
        self.id = id
        self.data = data
    }

    /// The message as written on the wire. Carriage returns in `data` become line breaks, since the
    /// format treats both as the end of a line.
    public var encoded: String {
        String(decoding: encodedBytes, as: UTF8.self)
    }

    /// `encoded` as bytes, built a line at a time: a 256 KiB slice of a log holds thousands of lines.
    public var encodedBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(data.utf8.count + 64)
        if let event { bytes += "event: \(event)\n".utf8 }
        if let id { bytes += "id: \(id)\n".utf8 }
        let lineStart = Array("data: ".utf8)
        let carriageReturn = UInt8(ascii: "\r")
        let lineFeed = UInt8(ascii: "\n")
        bytes += lineStart
        var text = data
        text.withUTF8 { utf8 in
            var start = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                guard byte == carriageReturn || byte == lineFeed else {
                    index += 1
                    continue
                }
                bytes += utf8[start..<index]
                bytes.append(lineFeed)
                bytes += lineStart
                // "\r\n" is one line break.
                index += byte == carriageReturn && index + 1 < utf8.count && utf8[index + 1] == lineFeed ? 2 : 1
                start = index
            }
            bytes += utf8[start..<utf8.count]
        }
        bytes += [lineFeed, lineFeed]
        return bytes
    }

    /// A comment line: ignored by clients, it keeps idle connections (and proxies) from timing out.
    public static let keepAlive = ": keep-alive\n\n"
}

/// Reads Server-Sent Events from a byte stream fed in arbitrary pieces.
public struct ServerSentEventParser: Sendable {
    private var buffer: [UInt8] = []
    private var event: String?
    private var id: String?
    private var data: [String] = []

    public init() {}

    /// Feeds bytes and returns the messages they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        buffer.append(contentsOf: bytes)
        var messages: [ServerSentEvent] = []
        // The consumed lines are removed once at the end: removing each in turn would move the rest
        // of the buffer per line, which made following a big log quadratic.
        var start = buffer.startIndex
        while let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var line = buffer[start..<newline]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if let message = take(String(decoding: line, as: UTF8.self)) { messages.append(message) }
            start = newline + 1
        }
        buffer.removeSubrange(..<start)
        return messages
    }

    private mutating func take(_ line: String) -> ServerSentEvent? {
        if line.isEmpty {
            defer {
                event = nil
                data = []
            }
            guard !data.isEmpty else { return nil }
            return ServerSentEvent(event: event, id: id, data: data.joined(separator: "\n"))
        }
        if line.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring = ""
        if let colon = line.firstIndex(of: ":") {
            field = line[..<colon]
            value = line[line.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = line[...]
        }
        switch field {
        case "event": event = String(value)
        case "id": id = String(value)
        case "data": data.append(String(value))
        default: break
        }
        return nil
    }
}
