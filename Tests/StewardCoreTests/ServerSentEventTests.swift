import StewardCore
import Testing

struct ServerSentEventTests {
    @Test("a message is written with one data line per line of text; every kind of line break counts")
    func encoding() {
        let message = ServerSentEvent(event: "log", id: "42", data: "one\ntwo\r\nthree\rfour\n\nsix")
        #expect(message.encoded == "event: log\nid: 42\ndata: one\ndata: two\ndata: three\ndata: four\ndata: \ndata: six\n\n")
        #expect(ServerSentEvent(data: "").encoded == "data: \n\n")
        #expect(ServerSentEvent(data: "ends\r").encoded == "data: ends\ndata: \n\n")
        #expect(ServerSentEvent(data: "é ✓\n").encodedBytes == Array("data: é ✓\ndata: \n\n".utf8))
    }

    @Test("what is written reads back the same, however the bytes are cut on the way")
    func roundTrip() {
        let messages = [
            ServerSentEvent(event: "log", id: "1", data: "a\nb\r\nc"),
            ServerSentEvent(event: "end", data: #"{"status":"succeeded"}"#),
            ServerSentEvent(data: (1...2_000).map { "line \($0) ✓" }.joined(separator: "\n")),
        ]
        let wire = messages.flatMap(\.encodedBytes) + Array(ServerSentEvent.keepAlive.utf8)
        for pieceSize in [1, 7, 4096, wire.count] {
            var parser = ServerSentEventParser()
            var read: [ServerSentEvent] = []
            var offset = 0
            while offset < wire.count {
                read += parser.feed(wire[offset..<min(offset + pieceSize, wire.count)])
                offset += pieceSize
            }
            #expect(read.count == 3)
            #expect(read.first == ServerSentEvent(event: "log", id: "1", data: "a\nb\nc"))
            #expect(
                read.dropFirst().first == ServerSentEvent(event: "end", id: "1", data: messages[1].data),
                "an id stays until another one comes")
            #expect(read.last?.data == messages[2].data)
        }
    }
}
