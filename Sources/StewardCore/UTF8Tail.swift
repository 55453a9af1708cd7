/// Where a byte slice of UTF-8 text ends inside a character.
public enum UTF8Tail {
    /// How many bytes at the end of `bytes` begin a character that the slice does not finish
    /// (0 when the slice ends on a character boundary or is not UTF-8 there).
    public static func incompleteByteCount(_ bytes: [UInt8]) -> Int {
        // A character is at most 4 bytes: look back at most 3 for the byte that starts it.
        guard !bytes.isEmpty else { return 0 }
        for back in 1...min(3, bytes.count) {
            let byte = bytes[bytes.count - back]
            if byte & 0b1100_0000 == 0b1000_0000 { continue }  // a continuation byte: keep looking
            let length =
                switch byte {
                case 0b1111_0000...: 4
                case 0b1110_0000...: 3
                case 0b1100_0000...: 2
                default: 1
                }
            return length > back ? back : 0
        }
        return 0
    }
}
