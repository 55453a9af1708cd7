/// Makes passwords for `generate:` inputs from the system's cryptographic random source.
public enum PasswordGenerator {
    /// Letters and digits only: safe in shells, URLs and configuration files without quoting.
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    public static func generate(length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        // `randomElement(using:)` draws uniformly, so every character carries log2(62) ≈ 5.95 bits.
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
