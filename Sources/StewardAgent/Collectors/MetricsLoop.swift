import Foundation
import Logging
import StewardCore

/// Takes a host metrics sample every `interval` seconds and delivers what is pending, oldest first,
/// in reports of at most ``MetricsLoop/samplesPerReport`` and ``MetricsLoop/bytesPerReport`` (a host
/// with many disks and interfaces has big samples). While the hub cannot be reached, samples
/// wait in the ``MetricsBuffer`` (and its file) and go when it answers again.
struct MetricsLoop {
    let client: HubClient
    let credential: Wire.AgentCredential
    let interval: Int
    let bufferPath: String
    let logger: Logger
    static let samplesPerReport = 240
    /// Half of the 1 MiB the hub accepts in a body, leaving room for samples bigger than the first.
    static let bytesPerReport = 512 * 1024

    func run() async {
        var host = HostMetrics()
        var buffer = MetricsBuffer(path: bufferPath)
        if !buffer.pending.isEmpty {
            logger.info("metrics kept while the hub was unreachable will be sent", metadata: ["metrics.samples": "\(buffer.pending.count)"])
        }
        _ = host.sample(at: Date())  // the first reading only starts the CPU and network rates
        var reachable = true
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(interval))
            guard !Task.isCancelled else { break }
            buffer.append(host.sample(at: Date()))
            do throws(HubClient.Failure) {
                while !buffer.pending.isEmpty {
                    let report = Wire.Metrics.Report(samples: Array(buffer.pending.prefix(Self.reportCount(buffer.pending))))
                    try await client.sendMetrics(report, credential: credential)
                    try? buffer.delivered(report.samples.count)
                }
                if !reachable {
                    logger.info("metrics delivered again")
                    reachable = true
                }
            } catch {
                if case .refused(let problem) = error, problem.status < 500, problem.status != 401, problem.status != 403 {
                    // The hub will never take these (a bad sample): dropping them keeps the rest flowing.
                    logger.warning("the hub refused metrics; dropping them", metadata: ["reason": "\(problem.detail ?? problem.title)"])
                    try? buffer.delivered(Self.reportCount(buffer.pending))
                    continue
                }
                do { try buffer.keep() } catch { logger.warning("cannot keep metrics on disk", metadata: ["error": "\(error)"]) }
                if reachable {
                    logger.warning("cannot deliver metrics; keeping them", metadata: ["reason": "\(error)"])
                    reachable = false
                }
            }
        }
    }

    /// How many of the pending samples go in the next report: as many as fit in ``bytesPerReport``
    /// judging by the first, at least one and at most ``samplesPerReport``.
    static func reportCount(_ pending: [Wire.Metrics.Sample]) -> Int {
        guard let first = pending.first, let size = try? Wire.makeEncoder().encode(first).count, size > 0 else { return samplesPerReport }
        return max(1, min(samplesPerReport, bytesPerReport / size))
    }
}
