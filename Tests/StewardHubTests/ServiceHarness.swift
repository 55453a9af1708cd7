import Foundation
import StewardCore
import StewardTestSupport

@testable import StewardHub

/// The hub's services over one store and a manual clock, without HTTP: for tests of what they do
/// over time (schedules, rollouts, health checks), moving the clock instead of sleeping.
struct ServiceHarness {
    let store: Store
    let clock: ManualClock
    let jobs: JobService
    let installations: InstallationService
    let rollouts: RolloutService
    let schedules: ScheduleService
    let configHistory: ConfigHistoryService
    let owner: Requester

    init(
        store: Store, keysIn directory: String, clock: ManualClock = ManualClock(),
        catalog: [String] = [Fixtures.validCatalog, Fixtures.lifecycleCatalog]
    ) throws {
        self.store = store
        self.clock = clock
        let catalog = try AppCatalog.load(directories: catalog, skipInvalid: false, logger: TestDatabase.logger)
        let keys = try HubKeys.loadOrCreate(in: directory, environment: [:])
        jobs = JobService(
            store: store, catalog: catalog, keys: keys, events: EventBus(), clock: clock.hubClock, settings: .init(),
            logger: TestDatabase.logger, logScanner: LogScanner(store: store, clock: clock.hubClock, logger: TestDatabase.logger))
        installations = InstallationService(jobs: jobs)
        rollouts = RolloutService(jobs: jobs, installations: installations)
        schedules = ScheduleService(jobs: jobs, installations: installations, rollouts: rollouts)
        configHistory = ConfigHistoryService(jobs: jobs)
        owner = Requester(
            identity: .init(userID: "u-owner", tenantID: Store.defaultTenant, email: "owner@example.com", role: .owner, credentialID: "c"),
            sourceAddress: "127.0.0.1")
    }

    /// Claims the server's next job and reports `exitCode` for it; the job as it ended.
    @discardableResult
    func finishNext(on serverID: String, exitCode: Int, steps: [Wire.Job.StepResult] = []) async throws -> JobRecord {
        guard let claimed = try await store.claimNextJob(serverID: serverID, now: clock.now, lease: 60) else {
            throw TestFailure("no job to claim on \(serverID)")
        }
        return try await jobs.recordResult(.init(attempt: claimed.attempt, exitCode: exitCode, steps: steps), for: claimed)
    }

    /// `app` installed on a new server (labelled `labels`) with `inputs`: the installation.
    func installed(
        _ app: String = "webapp", inputs: [String: InputValue] = ["server_name": "shop.example.com", "acme_email": "ops@example.com"],
        labels: [String: String] = [:]
    ) async throws -> InstallationRecord {
        let serverID = try await JobStoreTests.server(store)
        if !labels.isEmpty {
            let server = try await store.server(id: serverID, tenantID: Store.defaultTenant)
            _ = try await store.updateServer(
                id: serverID, tenantID: Store.defaultTenant, name: server?.name ?? "web", labels: labels, at: clock.now,
                audit: StoreTests.audit("server.update"))
        }
        let install = try await jobs.queueApp(
            .install, appID: app, body: .init(serverID: serverID, inputs: inputs), by: owner)
        try await finishNext(on: serverID, exitCode: 0)
        guard let installation = try await store.installation(id: install.installationID ?? "", tenantID: Store.defaultTenant) else {
            throw TestFailure("no installation")
        }
        return installation
    }

    /// The fields an operation's `APIError` names (its code when it names none); empty when it succeeds.
    static func refusedFields(_ operation: () async throws -> Void) async -> [String] {
        do {
            try await operation()
            return []
        } catch let error as APIError {
            return error.errors?.map(\.field) ?? [error.code]
        } catch {
            return ["\(error)"]
        }
    }
}
