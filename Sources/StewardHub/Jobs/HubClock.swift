import Foundation

/// Where the hub gets the time from: the system clock, or one a test moves by hand, so that leases,
/// backoff, session expiry and every other rule of time is tested without sleeping.
public struct HubClock: Sendable {
    private let reading: @Sendable () -> Date

    public init(_ reading: @escaping @Sendable () -> Date) {
        self.reading = reading
    }

    public var now: Date { reading() }

    public static let system = HubClock { Date() }
}
