import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Asks for a secret (a password, a code) without echoing it on the terminal, or reads one line of
/// standard input when that is not a terminal (scripts). Secrets are never taken as arguments, where
/// `ps` and shell histories would keep them.
enum SecretPrompt {
    static func read(_ prompt: String) -> String? {
        // Piped in (a script, a test): one line of standard input, no prompt.
        if isatty(STDIN_FILENO) == 0 { return readLine(strippingNewline: true) }
        let terminal = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard terminal >= 0 else { return readLine(strippingNewline: true) }
        defer { close(terminal) }
        var original = termios()
        let hasTerminal = tcgetattr(terminal, &original) == 0
        if hasTerminal {
            var silent = original
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(terminal, TCSAFLUSH, &silent)
        }
        defer {
            if hasTerminal {
                tcsetattr(terminal, TCSAFLUSH, &original)
                _ = write(terminal, "\n", 1)
            }
        }
        _ = prompt.withCString { write(terminal, $0, strlen($0)) }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while Glibc.read(terminal, &byte, 1) == 1, byte != UInt8(ascii: "\n") {
            if bytes.count < 4096 { bytes.append(byte) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
