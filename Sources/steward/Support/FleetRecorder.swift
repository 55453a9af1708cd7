import Foundation

/// What the simulated agents of `steward bench fleet` saw: latencies by kind, errors, and the
/// dispatch clock of each agent's pending job.
actor FleetRecorder {
    private(set) var heartbeats: [Double] = []
    private(set) var pollOverheads: [Double] = []
    private(set) var dispatches: [Double] = []
    private(set) var errors: [String] = []
    private(set) var said = 0
    private(set) var finished = 0
    private var queuedAt: [Int: ContinuousClock.Instant] = [:]
    private var recording = false

    /// Latencies are kept only from now on (enrollment and hellos are the ramp, not the fleet).
    func startRecording() { recording = true }

    func hello() { said += 1 }

    func heartbeat(_ milliseconds: Double) { if recording { heartbeats.append(milliseconds) } }

    /// A poll that found nothing: how much longer than its wait it took.
    func pollOverhead(_ milliseconds: Double) { if recording { pollOverheads.append(milliseconds) } }

    func error(_ description: String) {
        // The first few say what went wrong; the count says how often.
        errors.append(errors.count < 20 ? description : "")
    }

    /// A job is about to be queued for agent `index`.
    func queueing(for index: Int) { queuedAt[index] = .now }

    /// Agent `index` received its job's envelope.
    func received(by index: Int) {
        guard let start = queuedAt.removeValue(forKey: index) else { return }
        dispatches.append(BenchSupport.milliseconds(.now - start))
    }

    func jobFinished() { finished += 1 }
}
