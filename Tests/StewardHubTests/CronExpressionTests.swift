import Foundation
import Testing

@testable import StewardHub

/// Cron expressions: what they accept, what they refuse, and the next fire time, also across clock
/// changes in a time zone with summer time.
struct CronExpressionTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    static func date(_ text: String) -> Date {
        try! Date(text, strategy: .iso8601)
    }

    static func next(_ expression: String, after: String, in zone: TimeZone = utc) throws -> String? {
        try CronExpression(expression).next(after: date(after), in: zone).map { $0.formatted(.iso8601) }
    }

    @Test("the next fire time: every field, lists, ranges, steps, names, shorthands")
    func nextTimes() throws {
        #expect(try Self.next("*/15 * * * *", after: "2026-12-07T10:07:30Z") == "2026-12-07T10:15:00Z")
        #expect(try Self.next("*/15 * * * *", after: "2026-12-07T10:15:00Z") == "2026-12-07T10:30:00Z", "strictly after")
        #expect(try Self.next("0 3 * * *", after: "2026-12-07T03:00:00Z") == "2026-12-08T03:00:00Z")
        #expect(try Self.next("30 8-18/4 * * mon-fri", after: "2026-12-05T12:00:00Z") == "2026-12-07T08:30:00Z", "Saturday → Monday")
        #expect(try Self.next("0 0 1,15 * *", after: "2026-12-02T00:00:00Z") == "2026-12-15T00:00:00Z")
        #expect(try Self.next("0 12 * feb *", after: "2026-12-02T00:00:00Z") == "2027-02-01T12:00:00Z")
        #expect(try Self.next("@weekly", after: "2026-12-07T10:00:00Z") == "2026-12-13T00:00:00Z", "Sunday")
        #expect(try Self.next("0 0 * * 7", after: "2026-12-07T10:00:00Z") == "2026-12-13T00:00:00Z", "7 is Sunday too")
        #expect(try Self.next("5/20 * * * *", after: "2026-12-07T10:46:00Z") == "2026-12-07T11:05:00Z")
        // Both day fields restricted: either matches (the 13th, or a Friday).
        #expect(try Self.next("0 0 13 * fri", after: "2026-12-07T00:00:00Z") == "2026-12-11T00:00:00Z")
        #expect(try Self.next("0 0 29 2 *", after: "2027-03-01T00:00:00Z") == "2028-02-29T00:00:00Z")
        #expect(try Self.next("0 0 31 2 *", after: "2026-12-07T00:00:00Z") == nil, "never")
        #expect(try CronExpression("@daily").description == "0 0 * * *")
    }

    @Test("in a time zone: local times; a time summer time skips does not fire, one it repeats fires once")
    func timeZones() throws {
        // 02:30 does not exist in Berlin on 29 March 2026; the next is on 30 March, at 00:30 UTC.
        #expect(try Self.next("30 2 * * *", after: "2026-03-28T12:00:00Z", in: Self.berlin) == "2026-03-30T00:30:00Z")
        // 02:30 happens twice on 25 October 2026 (CEST, then CET): the first, 00:30 UTC.
        #expect(try Self.next("30 2 * * *", after: "2026-10-24T12:00:00Z", in: Self.berlin) == "2026-10-25T00:30:00Z")
        #expect(try Self.next("0 9 * * *", after: "2026-12-07T07:00:00Z", in: Self.berlin) == "2026-12-07T08:00:00Z")
        #expect(try Self.next("0 9 * * *", after: "2026-07-07T07:00:00Z", in: Self.berlin) == "2026-07-08T07:00:00Z")
    }

    @Test(
        "malformed expressions are refused with what is wrong",
        arguments: [
            ("", "five fields"), ("* * * *", "five fields"), ("60 * * * *", "minute"), ("* 24 * * *", "hour"),
            ("* * 0 * *", "day of month"),
            ("* * * 13 *", "month"), ("* * * * 8", "day of week"), ("*/0 * * * *", "step"), ("5-1 * * * *", "backwards"),
            ("a * * * *", "minute"), ("1,,2 * * * *", "minute"), ("* * * foo *", "month"), ("@often", "five fields"),
        ])
    func malformed(expression: String, reason: String) {
        #expect {
            try CronExpression(expression)
        } throws: { error in
            (error as? CronExpression.Problem)?.description.contains(reason) == true
        }
    }
}
