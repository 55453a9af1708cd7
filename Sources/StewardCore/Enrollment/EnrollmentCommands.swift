/// The commands an operator runs on a server to enroll it, as `steward token create` and the
/// console's enrollment page print them: the one-line installer and the plain agent command. Both
/// pin the hub's key and say `--insecure-http` only when the hub is served over plain http off
/// loopback (where they would otherwise be refused).
public struct EnrollmentCommands: Sendable, Equatable {
    /// `curl -fsSL HUB/install.sh | STEWARD_TOKEN=… sh -s -- --hub-key SHA256:…`
    public var installer: String
    /// `steward agent --hub HUB --token … --hub-key SHA256:…`
    public var agent: String

    public init(hubURL: String, token: String, hubKey: String) {
        let insecure = HubAddress.needsInsecureFlag(hubURL) ? " --insecure-http" : ""
        installer = "curl -fsSL \(hubURL)/install.sh | STEWARD_TOKEN=\(token) sh -s -- --hub-key \(hubKey)\(insecure)"
        agent = "steward agent --hub \(hubURL) --token \(token) --hub-key \(hubKey)\(insecure)"
    }
}
