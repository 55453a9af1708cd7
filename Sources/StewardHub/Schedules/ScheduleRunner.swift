import Foundation
import Logging
import ServiceLifecycle
import StewardCore

/// Fires due schedules every `interval`. Taking a fire time and moving the schedule to its next one
/// is one statement per schedule (``Store/takeDueSchedules(now:next:)``): one hub takes each, and a
/// restart never takes it again. A fire time found more than ``lateness`` late passed while no hub
/// ran: the schedule's `missed` policy decides whether it runs (once, however many were missed).
/// A hub that dies between taking a fire time and queueing its job loses that run: schedules run
/// at most once per fire time.
struct ScheduleRunner: Service {
    let schedules: ScheduleService
    let interval: Duration
    let ready: StartupGate
    let logger: Logger

    static let lateness: TimeInterval = 60

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            await ready.wait()
            while !Task.isCancelled {
                await round()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Fires what is due now; returns the outcomes by schedule id.
    @discardableResult
    func round() async -> [String: Wire.Schedules.Outcome] {
        let now = schedules.clock.now
        var outcomes: [String: Wire.Schedules.Outcome] = [:]
        do {
            let due = try await schedules.store.takeDueSchedules(now: now) { schedule in
                guard let cron = try? CronExpression(schedule.cron), let zone = TimeZone(identifier: schedule.timeZone) else { return nil }
                return cron.next(after: now, in: zone)
            }
            for schedule in due {
                let missed = schedule.nextRunAt.map { now.timeIntervalSince($0) > Self.lateness } ?? false
                let outcome = await schedules.run(schedule, missed: missed)
                outcomes[schedule.id] = outcome
                try await schedules.store.recordScheduleOutcome(id: schedule.id, outcome: outcome)
                logger.info(
                    "schedule fired",
                    metadata: [
                        "schedule.id": "\(schedule.id)", "job.id": "\(outcome.jobID ?? "-")", "rollout.id": "\(outcome.rolloutID ?? "-")",
                        "skipped": "\(outcome.skipped ?? false)", "error": "\(outcome.error ?? "-")",
                    ])
            }
        } catch is CancellationError {
            // The hub is shutting down.
        } catch {
            logger.error("schedule round failed", metadata: ["error": "\(String(reflecting: error))"])
        }
        return outcomes
    }
}
