/// A one-way switch that a running script watches: once it is set, the script's whole process group
/// is stopped (SIGTERM, then SIGKILL after the grace period). The hub sets it by cancelling the job.
public final class StopSignal: Sendable {
    private let stream: AsyncStream<Never>
    private let continuation: AsyncStream<Never>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Never.self)
    }

    public func stop() {
        continuation.finish()
    }

    /// Returns once `stop()` was called, or when the waiting task is cancelled. One waiter only.
    func wait() async {
        for await _ in stream {}
    }
}
