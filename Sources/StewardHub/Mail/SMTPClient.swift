import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Sends one plain-text message over SMTP (RFC 5321): EHLO, STARTTLS, EHLO again, AUTH PLAIN, MAIL,
/// RCPT, DATA, QUIT, within a time limit.
///
/// No SMTP library is among the packages Steward may depend on; the protocol the hub needs is this
/// small, and the test speaks to a real server (aiosmtpd) with STARTTLS and authentication.
public struct SMTPClient: Sendable {
    public let settings: SMTPSettings
    /// The whole conversation must end within this time.
    var timeout: Duration = .seconds(15)

    public init(settings: SMTPSettings) {
        self.settings = settings
    }

    /// Why a message was not sent: at which step, and what the server answered (never a credential).
    public struct Failure: Error, CustomStringConvertible {
        public var step: String
        public var reply: String
        public var description: String { "SMTP \(step): \(reply)" }
    }

    public struct Message: Sendable {
        public var to: String
        public var subject: String
        public var body: String

        public init(to: String, subject: String, body: String) {
            self.to = to
            self.subject = subject
            self.body = body
        }
    }

    public func send(_ message: Message, now: Date = Date()) async throws {
        guard SMTPSettings.isPlainAddress(message.to) else { throw Failure(step: "RCPT", reply: "\(message.to) is not a plain address") }
        let timeout = self.timeout
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.deliver(message, now: now) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw Failure(step: "connection", reply: "no end of the conversation within \(timeout)")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    private func deliver(_ message: Message, now: Date) async throws {
        let settings = self.settings
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: settings.host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var conversation = Conversation(replies: inbound.makeAsyncIterator(), outbound: outbound)
            _ = try await conversation.reply(expecting: 220, step: "greeting")
            var capabilities = try await conversation.command("EHLO \(Self.heloName)", expecting: 250, step: "EHLO")
            if settings.startTLS {
                guard capabilities.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) else {
                    throw Failure(step: "STARTTLS", reply: "the server does not offer STARTTLS; the hub does not send mail in clear")
                }
                _ = try await conversation.command("STARTTLS", expecting: 220, step: "STARTTLS")
                try await Self.startTLS(on: channel.channel, settings: settings)
                capabilities = try await conversation.command("EHLO \(Self.heloName)", expecting: 250, step: "EHLO after STARTTLS")
            }
            if let username = settings.username {
                let credentials = Data("\0\(username)\0\(settings.password ?? "")".utf8).base64EncodedString()
                _ = try await conversation.command("AUTH PLAIN \(credentials)", expecting: 235, step: "AUTH")
            }
            _ = try await conversation.command("MAIL FROM:<\(settings.from)>", expecting: 250, step: "MAIL FROM")
            _ = try await conversation.command("RCPT TO:<\(message.to)>", expecting: 250, step: "RCPT TO")
            _ = try await conversation.command("DATA", expecting: 354, step: "DATA")
            _ = try await conversation.command(Self.content(of: message, from: settings.from, now: now), expecting: 250, step: "message")
            _ = try? await conversation.command("QUIT", expecting: 221, step: "QUIT")
        }
    }

    private static func startTLS(on channel: any Channel, settings: SMTPSettings) async throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile = settings.caFile { configuration.additionalTrustRoots = [.file(caFile)] }
        let context = try NIOSSLContext(configuration: configuration)
        // SNI takes names only; for an address the certificate is checked against the address.
        let name =
            settings.host.contains(where: { $0 == ":" }) || settings.host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : settings.host
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: name), position: .first)
        }.get()
    }

    /// The name the hub gives itself in EHLO: its host name when it is one, else `localhost`.
    static var heloName: String {
        let name = ProcessInfo.processInfo.hostName
        return name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }) && !name.isEmpty ? name : "localhost"
    }

    /// Headers and the body (base64, so no line of it can end the DATA section), ending with the
    /// lone dot. Header values are stripped of control characters: nothing can add a header.
    static func content(of message: Message, from: String, now: Date) -> String {
        let subject = message.subject.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }.map(String.init).joined()
        let encodedSubject =
            subject.unicodeScalars.allSatisfy(\.isASCII) ? subject : "=?utf-8?B?\(Data(subject.utf8).base64EncodedString())?="
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let date = formatter.string(from: now)
        let body = Data(message.body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
            .base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let domain = from.split(separator: "@").last.map(String.init) ?? "localhost"
        return [
            "From: Steward <\(from)>", "To: <\(message.to)>", "Subject: \(encodedSubject)", "Date: \(date)",
            "Message-ID: <\(UUID().uuidString.lowercased())@\(domain)>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64", "", body, ".",
        ].joined(separator: "\r\n")
    }

    /// Commands out, replies in: a reply is one or more lines `250-…` ending with `250 …`.
    struct Conversation {
        var replies: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        private var pending: [UInt8] = []
        /// A server that sends more than this in one reply is not one to talk to.
        static let maxReplyBytes = 64 << 10

        init(replies: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
            self.replies = replies
            self.outbound = outbound
        }

        /// Sends `line` and reads the reply; the reply's text lines (the capabilities, for EHLO).
        mutating func command(_ line: String, expecting code: Int, step: String) async throws -> [String] {
            try await outbound.write(ByteBuffer(string: line + "\r\n"))
            return try await reply(expecting: code, step: step)
        }

        mutating func reply(expecting code: Int, step: String) async throws -> [String] {
            var lines: [String] = []
            while true {
                let line = try await nextLine(step: step)
                guard line.count >= 3, let got = Int(line.prefix(3)) else { throw Failure(step: step, reply: "not an SMTP reply: \(line)") }
                lines.append(String(line.dropFirst(4)))
                guard line.count > 3, line[line.index(line.startIndex, offsetBy: 3)] == "-" else {
                    guard got == code else { throw Failure(step: step, reply: line) }
                    return lines
                }
            }
        }

        private mutating func nextLine(step: String) async throws -> String {
            while true {
                if let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = pending[..<end]
                    pending.removeSubrange(...end)
                    return String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
                }
                guard pending.count < Self.maxReplyBytes else { throw Failure(step: step, reply: "a reply longer than 64 KiB") }
                guard let buffer = try await replies.next() else { throw Failure(step: step, reply: "the server closed the connection") }
                pending += buffer.readableBytesView
            }
        }
    }
}
