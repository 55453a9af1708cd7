/// What a new password must be: at least 12 characters, at most the 72 bytes bcrypt reads, and not
/// one of the passwords every attacker tries first.
enum PasswordPolicy {
    static let minimumLength = 12
    static let maximumBytes = 72

    /// Why `password` is refused, or `nil` when it is fine.
    static func problem(_ password: String, email: String) -> String? {
        if password.count < minimumLength { return "must be at least \(minimumLength) characters" }
        if password.utf8.count > maximumBytes { return "must be at most \(maximumBytes) bytes" }
        let folded = password.lowercased()
        if common.contains(folded) || folded == email.lowercased() || Set(folded).count < 4 {
            return "is too easy to guess; choose a longer phrase of unrelated words"
        }
        return nil
    }

    /// Passwords of 12 characters or more that lead the public breach lists.
    static let common: Set<String> = [
        "123456789012", "1234567890123", "12345678901234", "123456789123", "1234567891011", "111111111111", "000000000000",
        "password1234", "password12345", "password123456", "passw0rd1234", "password1234!", "p@ssword1234", "p@ssw0rd1234",
        "qwertyuiop12", "qwertyuiop123", "qwerty123456", "1q2w3e4r5t6y", "1qaz2wsx3edc", "qazwsxedcrfv", "zaq12wsxcde3",
        "asdfghjkl123", "iloveyou1234", "letmein12345", "welcome12345", "welcome123456", "administrator", "administrator1",
        "adminadmin123", "changeme1234", "changeme12345", "trustno1trustno1", "sunshine1234", "football1234", "baseball1234",
        "superman1234", "princess1234", "dragon123456", "monkey123456", "abc123456789", "abcdefghijkl", "abcd1234abcd",
        "correcthorsebatterystaple", "correct horse battery staple", "steward12345", "steward123456", "stewardadmin",
        "qwertyqwerty", "passwordpassword", "mypassword123", "secret123456", "letmeinplease", "whatever1234",
    ]
}
