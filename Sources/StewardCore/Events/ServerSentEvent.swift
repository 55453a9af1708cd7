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
        var text = ""
        if let event { text += "event: \(event)\n" }
        if let id { text += "id: \(id)\n" }
        for line in data.replacing("\r\n", with: "\n").replacing("\r", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        {
            text += "data: \(line)\n"
        }
        return text + "\n"
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
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            var line = buffer[..<newline]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            let text = String(decoding: line, as: UTF8.self)
            buffer.removeSubrange(...newline)
            if let message = take(text) { messages.append(message) }
        }
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
