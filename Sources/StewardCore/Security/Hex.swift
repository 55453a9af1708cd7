/// Lower-case hexadecimal, as digests are shown and stored.
///
/// Written out rather than `String(format: "%02x")` per byte, which goes through Foundation's
/// formatter: hashing every agent request's secret that way was 7 % of a busy hub's CPU.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
