import Foundation

/// A five-field cron expression (minute, hour, day of month, month, day of week) read in a time
/// zone: `*`, lists (`1,15`), ranges (`1-5`), steps (`*/10`, `8-18/2`), month and day names
/// (`jan`, `mon-fri`), `7` for Sunday, and the shorthands `@hourly`, `@daily`, `@weekly`,
/// `@monthly`, `@yearly`. As in Vixie cron, when both day fields are restricted a day matches
/// either.
///
/// Written here rather than taken from a library: none is on the mirror list, and the rules are
/// small enough to test whole (`CronExpressionTests`).
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    public let description: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    /// 0 = Sunday … 6 = Saturday.
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    public struct Problem: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    static let shorthands = [
        "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *",
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *",
    ]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    public init(_ text: String) throws(Problem) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard trimmed.count <= 200 else { throw Problem(description: "is longer than 200 characters") }
        let expanded = Self.shorthands[trimmed] ?? trimmed
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw Problem(description: "must have five fields (minute hour day-of-month month day-of-week), or be @hourly, @daily, …")
        }
        description = fields.joined(separator: " ")
        minutes = try Self.field(fields[0], name: "minute", range: 0...59)
        hours = try Self.field(fields[1], name: "hour", range: 0...23)
        daysOfMonth = try Self.field(fields[2], name: "day of month", range: 1...31)
        months = try Self.field(fields[3], name: "month", range: 1...12, names: Self.monthNames, firstName: 1)
        let weekdays = try Self.field(fields[4], name: "day of week", range: 0...7, names: Self.dayNames, firstName: 0)
        daysOfWeek = Set(weekdays.map { $0 % 7 })
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        dayOfWeekRestricted = !fields[4].hasPrefix("*")
    }

    private static func field(
        _ text: String, name: String, range: ClosedRange<Int>, names: [String] = [], firstName: Int = 0
    ) throws(Problem) -> Set<Int> {
        func value(_ part: Substring) throws(Problem) -> Int {
            if let number = Int(part), range.contains(number) { return number }
            if let index = names.firstIndex(of: String(part)) { return index + firstName }
            throw Problem(
                description: "\(name): '\(part)' is not \(range.lowerBound)–\(range.upperBound)\(names.isEmpty ? "" : " or a name")")
        }
        var values: Set<Int> = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = item.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, !pieces[0].isEmpty else {
                throw Problem(description: "\(name): '\(item)' is not a value, range or step")
            }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0, parsed <= range.upperBound else {
                    throw Problem(description: "\(name): the step in '\(item)' must be 1–\(range.upperBound)")
                }
                step = parsed
            }
            let bounds: ClosedRange<Int>
            if pieces[0] == "*" {
                bounds = range
            } else if let dash = pieces[0].firstIndex(of: "-") {
                let low = try value(pieces[0][..<dash])
                let high = try value(pieces[0][pieces[0].index(after: dash)...])
                guard low <= high else { throw Problem(description: "\(name): '\(item)' runs backwards") }
                bounds = low...high
            } else {
                let single = try value(pieces[0])
                // `5/15` means from 5 to the end of the range, every 15.
                bounds = pieces.count == 2 ? single...range.upperBound : single...single
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }

    /// The first moment after `date` (to the minute) that the expression names in `timeZone`;
    /// `nil` when none comes within eight years (`0 0 31 2 *`). Local times that a clock change
    /// skips do not fire; one that happens twice fires at its first.
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = date.addingTimeInterval(60 - date.timeIntervalSince1970.truncatingRemainder(dividingBy: 60))
        var day = calendar.startOfDay(for: start)
        let sortedHours = hours.sorted()
        let sortedMinutes = minutes.sorted()
        for _ in 0..<(366 * 8) {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            if let month = parts.month, let monthDay = parts.day, let weekday = parts.weekday, months.contains(month),
                matchesDay(monthDay, weekday: weekday - 1)
            {
                for hour in sortedHours {
                    for minute in sortedMinutes {
                        var wanted = DateComponents()
                        (wanted.year, wanted.month, wanted.day, wanted.hour, wanted.minute) = (parts.year, month, monthDay, hour, minute)
                        guard let candidate = calendar.date(from: wanted), candidate >= start else { continue }
                        // A local time skipped by a clock change comes back as another time: not this one.
                        let check = calendar.dateComponents([.day, .hour, .minute], from: candidate)
                        guard check.day == monthDay, check.hour == hour, check.minute == minute else { continue }
                        return candidate
                    }
                }
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = next
        }
        return nil
    }

    private func matchesDay(_ monthDay: Int, weekday: Int) -> Bool {
        switch (dayOfMonthRestricted, dayOfWeekRestricted) {
        case (true, true): daysOfMonth.contains(monthDay) || daysOfWeek.contains(weekday)
        case (true, false): daysOfMonth.contains(monthDay)
        case (false, true): daysOfWeek.contains(weekday)
        case (false, false): true
        }
    }
}
