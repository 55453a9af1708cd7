import Foundation
import StewardTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// One HTTP exchange over a plain socket, with the bytes sent exactly as given: the way to send what
/// no well-behaved client would (broken framing, odd methods, huge headers).
enum RawHTTP {
    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: Data

        var contentType: String { headers["content-type"] ?? "" }
    }

    /// Sends `request` to 127.0.0.1:`port` and reads the answer's head and, unless it streams, its
    /// body. `nil` when the hub closed the connection without answering (a valid reaction to garbage).
    static func exchange(port: Int, _ request: Data, timeout: TimeInterval = 10) throws -> Answer? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        defer { close(fd) }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestFailure("connect: errno \(errno)") }
        // The hub may answer (413, 400) and close before the whole request is sent: that is fine.
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        let started = Date()
        while Date().timeIntervalSince(started) < timeout {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
            if let answer = parse(received), answer.complete { return answer.answer }
        }
        return parse(received)?.answer
    }

    /// The answer so far, and whether all of it is there (a streamed answer counts once its head is).
    private static func parse(_ data: Data) -> (answer: Answer, complete: Bool)? {
        guard let end = data.range(of: Data("\r\n\r\n".utf8)) else { return nil }
        let head = String(decoding: data[..<end.lowerBound], as: UTF8.self).split(separator: "\r\n")
        guard let statusLine = head.first, statusLine.split(separator: " ").count >= 2,
            let status = Int(statusLine.split(separator: " ")[1])
        else { return nil }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = Data(data[end.upperBound...])
        if let length = headers["content-length"].flatMap(Int.init) {
            return (Answer(status: status, headers: headers, body: body), body.count >= length)
        }
        // Chunked or streamed (SSE, logs): the head is what the fuzzer judges.
        return (Answer(status: status, headers: headers, body: body), headers["transfer-encoding"] != nil)
    }
}
