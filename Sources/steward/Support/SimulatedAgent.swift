import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StewardCore

/// One agent of `steward bench fleet`, speaking the agent's protocol over real HTTP as `steward
/// agent` does: a hello, then long polls that carry its heartbeats and wait one interval; while a job
/// "runs" (it only sleeps) it heartbeats on its own, then reports the result.
struct SimulatedAgent: Sendable {
    let index: Int
    let hubURL: String
    let bearer: String
    let http: HTTPClient
    let interval: Int
    let jobDuration: Duration
    let recorder: FleetRecorder

    func run() async {
        let runID = UUID().uuidString.lowercased()
        // A start spread over one interval, as a fleet's agents are not started in the same second.
        try? await Task.sleep(for: .milliseconds(Int.random(in: 0..<(interval * 1000))))
        while !Task.isCancelled {
            do {
                let start = ContinuousClock.now
                _ = try await send("/api/v1/agent/heartbeat", Wire.Heartbeat.Request(facts: nil, freshStart: true, runID: runID))
                await recorder.heartbeat(BenchSupport.milliseconds(.now - start))
                break
            } catch {
                await failed(error)
            }
        }
        await recorder.hello()
        while !Task.isCancelled {
            do {
                let start = ContinuousClock.now
                let data = try await send(
                    "/api/v1/agent/jobs/next?wait=\(interval)&run_id=\(runID)", Wire.Heartbeat.Request(facts: nil), timeout: interval + 15)
                guard let data else {
                    await recorder.pollOverhead(BenchSupport.milliseconds(.now - start - .seconds(interval)))
                    continue
                }
                await recorder.received(by: index)
                let envelope = try Wire.makeDecoder().decode(Wire.JobEnvelope.self, from: data)
                try await runJob(envelope)
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                await failed(error)
            }
        }
    }

    private func runJob(_ envelope: Wire.JobEnvelope) async throws {
        let held = [Wire.Heartbeat.AttemptRef(jobID: envelope.jobID, attempt: envelope.attempt)]
        let end = ContinuousClock.now + jobDuration
        while ContinuousClock.now + .seconds(interval) < end {
            try await Task.sleep(for: .seconds(interval))
            let start = ContinuousClock.now
            _ = try await send("/api/v1/agent/heartbeat", Wire.Heartbeat.Request(facts: nil, running: held))
            await recorder.heartbeat(BenchSupport.milliseconds(.now - start))
        }
        try await Task.sleep(until: end)
        _ = try await send("/api/v1/agent/jobs/\(envelope.jobID)/result", Wire.Job.Result(attempt: envelope.attempt, exitCode: 0))
        await recorder.jobFinished()
    }

    private func failed(_ error: any Error) async {
        await recorder.error("agent \(index): \(error)")
        try? await Task.sleep(for: .seconds(1))
    }

    /// POSTs `body`; the answer's body, or `nil` for 204. Anything but 2xx throws.
    private func send(_ path: String, _ body: some Encodable, timeout: Int = 30) async throws -> Data? {
        var request = HTTPClientRequest(url: hubURL + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(bearer)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try Wire.makeEncoder().encode(body)))
        let response = try await http.execute(request, timeout: .seconds(Int64(timeout)))
        let data = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw BenchSupport.Failure(description: "\(path): HTTP \(response.status.code) \(String(buffer: data))")
        }
        return response.status == .noContent ? nil : Data(data.readableBytesView)
    }
}
