/// What the hub does with an attempt's exit code (DESIGN.md §4).
public enum ExitCodeContract {
    /// The status after an attempt that ended with `exitCode` (`nil`: the lease was lost), given how
    /// many attempts were made and allowed.
    public static func status(exitCode: Int?, attempt: Int, maxAttempts: Int) -> Wire.Job.Status {
        switch exitCode {
        case 0: .succeeded
        case 1: .failed
        case 2, nil: attempt < maxAttempts ? .retrying : .dead
        case 3: .needsAttention
        case 124: .timedOut
        default: .failed
        }
    }
}
