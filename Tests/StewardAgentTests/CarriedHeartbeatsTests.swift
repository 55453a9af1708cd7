import Testing

@testable import StewardAgent

/// When the heartbeat loop must send a heartbeat of its own, given the polls that carried one.
struct CarriedHeartbeatsTests {
    @Test("before any poll one is due at once; a poll defers it 1.5 intervals; a failed poll brings it back")
    func due() {
        let carried = CarriedHeartbeats(interval: 10)
        let t0 = ContinuousClock.now
        #expect(carried.ownHeartbeatDue(now: t0) == t0)
        carried.sending(at: t0)
        #expect(carried.ownHeartbeatDue(now: t0) == t0 + .seconds(15))
        // A later poll counts; an earlier one that failed after it does not undo it.
        let t1 = t0 + .seconds(10)
        carried.sending(at: t1)
        carried.failed(sentAt: t0)
        #expect(carried.ownHeartbeatDue(now: t1) == t1 + .seconds(15))
        carried.failed(sentAt: t1)
        #expect(carried.ownHeartbeatDue(now: t1) == t1)
    }

    @Test("polls wait one interval, at most 30 s; the interval the hub sets counts from then on")
    func pollWait() {
        let carried = CarriedHeartbeats(interval: 15)
        #expect(carried.pollWait == 15)
        carried.interval = 120
        #expect(carried.pollWait == 30)
        carried.interval = 0
        #expect(carried.interval == 1 && carried.pollWait == 1)
        let t0 = ContinuousClock.now
        carried.interval = 4
        carried.sending(at: t0)
        #expect(carried.ownHeartbeatDue(now: t0) == t0 + .seconds(6))
    }
}
