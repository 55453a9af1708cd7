import Crypto
import Foundation
import StewardCore
import Testing

struct HexTests {
    @Test("every byte as two lower-case digits, the same as the printf form it replaced")
    func everyByte() {
        let all = (0...255).map(UInt8.init)
        #expect(Hex.encode(all) == all.map { String(format: "%02x", $0) }.joined())
        #expect(Hex.encode([UInt8]()) == "")
    }

    @Test("a SHA-256 digest as sha256sum prints it")
    func digest() {
        // printf abc | sha256sum
        #expect(
            Hex.encode(SHA256.hash(data: Data("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SecretToken.Digest(of: "abc").lookupKey == "ba7816bf8f01cfea")
    }
}
