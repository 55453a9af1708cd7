/// Whether a string is shaped like a credential: a last line of defence behind the vocabularies,
/// which already keep every free string out of telemetry.
enum SecretShape {
    static func looksSecret(_ text: String) -> Bool {
        let lowered = text.lowercased()
        if ["stw_", "-----begin", "bearer ", "password", "secret", "token"].contains(where: lowered.contains) { return true }
        // A long unbroken run of base64, hex or URL-safe characters: keys, hashes, session ids.
        var run = 0
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "+" || scalar == "/" || scalar == "_"
                || scalar == "="
            {
                run += 1
                if run >= 24 { return true }
            } else {
                run = 0
            }
        }
        return false
    }
}
