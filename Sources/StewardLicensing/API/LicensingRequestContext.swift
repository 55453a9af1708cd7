import HTTPTypes
import Hummingbird
import NIOCore

/// The context of every request to the license service.
public struct LicensingRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address, for rate limits.
    public var sourceAddress: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.sourceAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Requests are small JSON documents; a telemetry window is the biggest (``TelemetryIntake/maxBodyBytes``).
    public var maxUploadSize: Int { TelemetryIntake.maxBodyBytes }
}
