/// Replaces secret values with `****` in text that leaves a server or reaches a log.
///
/// The agent masks every line before it is sent; the hub masks again on ingest. Longer secrets are
/// replaced first, so a secret that contains another is masked whole.
public struct SecretMasker: Sendable {
    public static let mask = "****"
    /// Environment names containing one of these hold secrets: `env.read` and container reports
    /// mask their values.
    public static let secretLookingWords = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "PASS", "CREDENTIAL", "PRIVATE"]

    public static func looksSecret(_ name: String, words: [String] = secretLookingWords) -> Bool {
        let upper = name.uppercased()
        return words.contains { upper.contains($0) }
    }
    private let secrets: [String]

    /// `secrets` may contain empty strings; they are ignored (an empty secret cannot be found).
    public init(secrets: some Sequence<String>) {
        self.secrets = Set(secrets.filter { !$0.isEmpty }).sorted { $0.count > $1.count }
    }

    public func mask(_ text: String) -> String {
        secrets.reduce(text) { masked, secret in masked.replacing(secret, with: Self.mask) }
    }
}
