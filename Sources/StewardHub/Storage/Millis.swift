import Foundation

/// Times as stored: milliseconds since the Unix epoch, UTC.
package enum Millis {
    package static var now: Int64 { from(Date()) }

    package static func from(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    package static func date(_ millis: Int64) -> Date {
        Date(timeIntervalSince1970: Double(millis) / 1000)
    }
}
