import Foundation
import Logging
import StewardCore

/// Sends a running job's output to the hub in batches, about every 250 ms, in order. A batch that
/// cannot be delivered stays queued and goes with the next one, so a short hub hiccup loses nothing.
///
/// A script that writes faster than the hub takes its lines waits for it (its output pipe fills up),
/// so nothing is lost while the hub can be reached; while it cannot, lines beyond the bounded buffer
/// are dropped and counted, and the count is put in the log.
///
/// It is also how the agent learns that the hub cancelled the job (or gave its attempt up): the hub
/// refuses a batch, and the shipper sets the stop signal. A quiet script gets an empty batch every
/// second for that purpose.
actor LogShipper {
    private let client: HubClient
    private let credential: Wire.AgentCredential
    private let jobID: String
    private let attempt: Int
    private let logger: Logger
    private var pending: [String] = []
    /// Bytes in `pending`, a string's overhead included.
    private var pendingBytes = 0
    /// More than this waits for the hub (or, while it cannot be reached, is dropped and counted).
    static let maxPendingBytes = 4 << 20
    private var dropped = 0
    /// Whether the last send reached the hub; while it did not, a full buffer drops lines.
    private var reachable = true
    /// Callers of `add` that wait for room in the buffer.
    private var waitingForRoom: [CheckedContinuation<Void, Never>] = []
    private var stopping = false
    /// Set when the hub said the attempt is over; nothing more is sent.
    private var over = false
    private let stopSignal: StopSignal
    private var lastContact = ContinuousClock.now
    static let quietCheckInterval: Duration = .seconds(1)

    init(client: HubClient, credential: Wire.AgentCredential, jobID: String, attempt: Int, stopSignal: StopSignal, logger: Logger) {
        self.client = client
        self.credential = credential
        self.jobID = jobID
        self.attempt = attempt
        self.stopSignal = stopSignal
        self.logger = logger
    }

    func add(_ line: String) async {
        if pendingBytes >= Self.maxPendingBytes, reachable, !over, !stopping {
            endNap()
            await withCheckedContinuation { waitingForRoom.append($0) }
        }
        if pendingBytes < Self.maxPendingBytes {
            pending.append(line)
            pendingBytes += Self.cost(of: line)
        } else {
            dropped += 1
        }
    }

    /// Ships every 250 ms until `stop()`. It is stopped rather than cancelled so that a batch in
    /// flight is never cut off: the last flush must come after it, or lines would be lost or reordered.
    func run() async {
        while !stopping && !Task.isCancelled {
            await nap(.milliseconds(250))
            await flush()
        }
        // Cancelled (the agent is shutting down): nothing ships any more, so nobody may wait for room.
        stopping = true
        makeRoom()
    }

    /// Ends the shipping loop at once, even mid-nap, so a finished job's result is not held back.
    func stop() {
        stopping = true
        endNap()
        makeRoom()
    }

    private var napping: CheckedContinuation<Void, Never>?

    /// Sleeps for `duration`, or until `stop()`.
    private func nap(_ duration: Duration) async {
        let timer = Task { [weak self] in
            try? await Task.sleep(for: duration)
            if !Task.isCancelled { await self?.endNap() }
        }
        await withCheckedContinuation { continuation in
            if stopping || !waitingForRoom.isEmpty { continuation.resume() } else { napping = continuation }
        }
        timer.cancel()
    }

    private func endNap() {
        napping?.resume()
        napping = nil
    }

    /// Lets every waiting `add` go on (and find room, or drop its line).
    private func makeRoom() {
        let waiting = waitingForRoom
        waitingForRoom.removeAll()
        for continuation in waiting { continuation.resume() }
    }

    /// What a line holds in memory: its bytes and a string's own size.
    private static func cost(of line: String) -> Int {
        line.utf8.count + 16
    }

    /// Sends what is pending; on failure keeps it for the next try.
    func flush() async {
        guard !over else { return }
        if dropped > 0 {
            pending.append("[steward: \(dropped) lines were dropped while the hub could not be reached]")
            dropped = 0
        }
        guard !pending.isEmpty || ContinuousClock.now - lastContact >= Self.quietCheckInterval else { return }
        let lines = pending
        pending.removeAll()
        pendingBytes = 0
        makeRoom()
        let batches = lines.isEmpty ? [[]] : Self.batches(of: lines)
        for (index, batch) in batches.enumerated() {
            guard !over else { return }
            guard await send(batch) else {
                // This batch and the ones after it go first next time, in order.
                let unsent = Array(batches[index...].joined())
                pending.insert(contentsOf: unsent, at: 0)
                pendingBytes += unsent.reduce(0) { $0 + Self.cost(of: $1) }
                makeRoom()
                return
            }
        }
    }

    /// Sends one batch; `false` when the hub could not be reached and it must be sent again.
    private func send(_ batch: [String]) async -> Bool {
        do {
            try await client.sendLogs(jobID: jobID, .init(attempt: attempt, lines: batch), credential: credential)
            lastContact = .now
            reachable = true
        } catch .refused(let problem) {
            lastContact = .now
            reachable = true
            if ["job_cancelled", "stale_attempt"].contains(problem.code) {
                logger.warning("the hub ended this attempt; stopping the script", metadata: ["reason": "\(problem.code)"])
                over = true
                makeRoom()
                stopSignal.stop()
            } else {
                logger.warning("the hub refused log lines", metadata: ["reason": "\(problem.code)"])
            }
        } catch {
            reachable = false
            return false
        }
        return true
    }

    /// A batch of log lines stays well under the hub's 1 MiB body limit, JSON escaping included.
    static let maxBatchBytes = 256 << 10

    /// `lines` in order, cut into batches of at most ``maxBatchBytes`` (a line is at most 16 KiB).
    static func batches(of lines: [String], maxBytes: Int = maxBatchBytes) -> [[String]] {
        var batches: [[String]] = []
        var current: [String] = []
        var size = 0
        for line in lines {
            let cost = line.utf8.count + 8
            if !current.isEmpty, size + cost > maxBytes {
                batches.append(current)
                current = []
                size = 0
            }
            current.append(line)
            size += cost
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }

    /// The lines that could not be delivered, handed over for the journal.
    func takeUnsent() -> [String] {
        defer {
            pending.removeAll()
            pendingBytes = 0
        }
        return over ? [] : pending
    }
}
