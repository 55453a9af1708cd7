import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle
import StewardCore

/// Activates the hub and sends its telemetry: every interval it closes a window into the outbox (a
/// table, so a window is sent once even across restarts), then sends what is due. A failed send is
/// tried again after an exponential back-off with ±15 % jitter; the license service being away never
/// stops anything else.
struct TelemetryReporter: Service {
    let license: HubLicense
    let client: LicenseClient
    let interval: TimeInterval
    let database: DatabaseKind
    let ready: StartupGate
    let logger: Logger
    /// Where the jitter comes from: a number in -1...1.
    var jitter: @Sendable () -> Double = { Double.random(in: -1...1) }

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            await ready.wait()
            do {
                try await license.load()
            } catch {
                logger.error("cannot read the license's activation", metadata: ["error": "\(String(reflecting: error))"])
            }
            var failedActivations = 0
            var lastActivation: ContinuousClock.Instant?
            while !Task.isCancelled {
                var pause = min(interval, 60)
                do {
                    // A refused activation is asked again once an interval: the provider may have fixed it.
                    if license.isRefused, let lastActivation, ContinuousClock.now - lastActivation >= .seconds(interval) {
                        license.retryRefusedActivation()
                    }
                    if license.needsActivation {
                        lastActivation = .now
                        do {
                            try await license.activate(with: client)
                            failedActivations = 0
                        } catch let unavailable as LicenseClient.Unavailable {
                            logger.warning("cannot activate the license yet; the hub works on", metadata: ["error": "\(unavailable)"])
                            pause = Self.retryDelay(attempts: failedActivations, interval: interval, jitter: jitter())
                            failedActivations += 1
                        }
                    }
                    pause = min(pause, try await tick())
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("telemetry round failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                try? await Task.sleep(for: .seconds(max(0.2, pause)))
            }
        }
    }

    /// One round: closes the windows that are over, sends what is due. Returns the seconds until
    /// there is something to do again.
    @discardableResult
    func tick() async throws -> TimeInterval {
        guard let credentials = try license.telemetryCredentials() else { return min(interval, 60) }
        let store = license.store
        let now = license.clock.now
        try await closeWindow(instanceID: credentials.instanceID, now: now)
        for window in try await store.dueTelemetry(at: now, limit: 20) {
            do {
                switch try await client.sendWindow(window.body, instanceID: credentials.instanceID, hubKey: credentials.hubKey) {
                case .accepted(let receipt):
                    try await store.markTelemetrySent(start: window.windowStart, at: now)
                    try await license.apply(receipt)
                case .refused(let problem) where problem.code == "invalid_hub_key":
                    // Another hub of this database activated anew (send with its key), or the key
                    // was rotated or the instance deleted (activate again). Either way, send later.
                    if try await !license.reloadStoredActivation() {
                        logger.warning("the license service refused the telemetry key; activating again")
                        license.forgetActivation()
                    }
                    try await store.postponeTelemetry(start: window.windowStart, until: now)
                    return 1
                case .refused(let problem):
                    // The service will never take this window; keeping it would block the others.
                    logger.error(
                        "the license service refused a telemetry window; it is dropped", metadata: ["license.problem": "\(problem.code)"])
                    try await store.markTelemetrySent(start: window.windowStart, at: now)
                }
            } catch let unavailable as LicenseClient.Unavailable {
                let delay = Self.retryDelay(attempts: window.attempts, interval: interval, jitter: jitter())
                logger.warning(
                    "cannot send telemetry; trying again later", metadata: ["error": "\(unavailable)", "retry_in_s": "\(Int(delay))"])
                try await store.postponeTelemetry(start: window.windowStart, until: now.addingTimeInterval(delay))
                break
            }
        }
        try await store.pruneTelemetry(sentBefore: now.addingTimeInterval(-30 * 86_400))
        let nextDue = try await store.dueTelemetry(at: .distantFuture, limit: 1).first?.nextAttemptAt
        let nextWindow = (try await store.lastTelemetryWindowEnd() ?? now).addingTimeInterval(interval)
        return max(0, min(nextWindow, nextDue ?? nextWindow).timeIntervalSince(now))
    }

    /// Puts the window that ended by `now` into the outbox. The first starts at activation; after
    /// downtime one longer window covers every whole interval missed.
    private func closeWindow(instanceID: String, now: Date) async throws {
        let store = license.store
        var start = try await store.lastTelemetryWindowEnd()
        if start == nil { start = try await store.licenseActivation()?.activatedAt }
        guard let start else { return }
        let intervals = (now.timeIntervalSince(start) / interval).rounded(.down)
        guard intervals >= 1 else { return }
        let end = start.addingTimeInterval(intervals * interval)
        let aggregates = try await store.telemetryAggregates(from: start, to: end)
        let window = TelemetryWindowBuilder.window(aggregates, instanceID: instanceID, start: start, end: end, database: database)
        let (body, dropped) = try TelemetryWindowBuilder.redactedBody(window)
        if dropped > 0 {
            logger.debug("the allow-list dropped fields of a telemetry window", metadata: ["telemetry.dropped": "\(dropped)"])
        }
        try await store.enqueueTelemetry(start: start, end: end, body: body, at: now)
    }

    /// Seconds before the next attempt after `attempts` failures: a quarter interval (at most 30 s)
    /// doubling up to one interval (at most an hour), ±15 % (`jitter` in -1...1).
    static func retryDelay(attempts: Int, interval: TimeInterval, jitter: Double) -> TimeInterval {
        let base = max(1, min(30, interval / 4))
        let cap = max(base, min(3600, interval))
        let delay = min(cap, base * pow(2, Double(min(attempts, 20))))
        return delay * (1 + 0.15 * max(-1, min(1, jitter)))
    }
}
