import Foundation
import Logging
import StewardCore

/// Sends a running job's output to the hub in batches, about every 250 ms, in order. A batch that
/// cannot be delivered stays queued and goes with the next one, so a short hub hiccup loses nothing.
actor LogShipper {
    private let client: HubClient
    private let credential: Wire.AgentCredential
    private let jobID: String
    private let attempt: Int
    private let logger: Logger
    private var pending: [String] = []
    /// Lines beyond this wait in memory are dropped (and counted) rather than exhaust it.
    private let maxPending = 50_000
    private var dropped = 0
    private var stopping = false

    init(client: HubClient, credential: Wire.AgentCredential, jobID: String, attempt: Int, logger: Logger) {
        self.client = client
        self.credential = credential
        self.jobID = jobID
        self.attempt = attempt
        self.logger = logger
    }

    func add(_ line: String) {
        if pending.count < maxPending { pending.append(line) } else { dropped += 1 }
    }

    /// Ships every 250 ms until `stop()`. It is stopped rather than cancelled so that a batch in
    /// flight is never cut off: the last flush must come after it, or lines would be lost or reordered.
    func run() async {
        while !stopping && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(250))
            await flush()
        }
    }

    func stop() {
        stopping = true
    }

    /// Sends what is pending; on failure keeps it for the next try.
    func flush() async {
        if dropped > 0 {
            pending.append("[steward: \(dropped) lines were dropped while the hub could not be reached]")
            dropped = 0
        }
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll()
        do {
            try await client.sendLogs(jobID: jobID, .init(attempt: attempt, lines: batch), credential: credential)
        } catch .refused(let problem) {
            logger.warning("the hub refused log lines", metadata: ["job.id": "\(jobID)", "reason": "\(problem.code)"])
        } catch {
            pending.insert(contentsOf: batch, at: 0)
        }
    }
}
