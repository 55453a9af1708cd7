import Foundation

/// Which of an installation's archives stay on its server when a new one is made: the newest
/// pre-upgrade snapshots, the newest manual backups, and of scheduled backups the newest of each of
/// the last `daily` days and of the last `weekly` weeks (UTC). Pure, so each rule is tested as it is.
enum BackupRetention {
    static let daily = 7
    static let weekly = 4
    static let manual = 10

    /// The ids to keep of `complete` archives once a new one of `kind` is made at `now` (the new one
    /// is kept by the agent anyway, and counts against its kind's allowance here).
    static func keep(_ complete: [BackupRecord], adding kind: BackupRecord.Kind, now: Date, snapshots: Int) -> [String] {
        func newest(_ kind: BackupRecord.Kind) -> [BackupRecord] {
            complete.filter { $0.kind == kind }.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
        }
        let allowance: [BackupRecord.Kind: Int] = [.snapshot: snapshots, .manual: manual]
        var kept: [String] = []
        for keptKind in [BackupRecord.Kind.snapshot, .manual] {
            let count = (allowance[keptKind] ?? 0) - (kind == keptKind ? 1 : 0)
            kept += newest(keptKind).prefix(max(0, count)).map(\.id)
        }
        kept += scheduled(newest(.scheduled), adding: kind == .scheduled ? now : nil)
        return kept.sorted()
    }

    /// Scheduled backups kept: the newest of each of the last `daily` days that have one, and the
    /// newest of each of the last `weekly` weeks; `new` is a backup being made now.
    private static func scheduled(_ newestFirst: [BackupRecord], adding new: Date?) -> [String] {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        func day(_ date: Date) -> DateComponents { calendar.dateComponents([.year, .month, .day], from: date) }
        func week(_ date: Date) -> DateComponents { calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date) }
        var days: [DateComponents] = new.map { [day($0)] } ?? []
        var weeks: [DateComponents] = new.map { [week($0)] } ?? []
        var kept: [String] = []
        for backup in newestFirst {
            var keep = false
            if !days.contains(day(backup.createdAt)), days.count < daily {
                days.append(day(backup.createdAt))
                keep = true
            }
            if !weeks.contains(week(backup.createdAt)), weeks.count < weekly {
                weeks.append(week(backup.createdAt))
                keep = true
            }
            if keep { kept.append(backup.id) }
        }
        return kept
    }
}
