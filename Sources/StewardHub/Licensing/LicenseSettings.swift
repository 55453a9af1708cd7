import Foundation
import StewardCore

/// How a hub reaches its license service (`--license-server`, the key from `STEWARD_LICENSE_KEY` or
/// `--license-key-file`, `--telemetry-interval`). Without it the hub is unlicensed: nothing is
/// enforced and nothing is sent.
public struct LicenseSettings: Sendable {
    public var serverURL: String
    public var licenseKey: String
    /// Seconds between telemetry windows (default one hour).
    public var telemetryInterval: TimeInterval

    public init(serverURL: String, licenseKey: String, telemetryInterval: TimeInterval = 3600) throws(ConfigurationError) {
        let url = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
        // The license key and the telemetry key travel in the requests: plain http only on loopback.
        if HubAddress.problem(with: url, allowInsecureHTTP: false) != nil {
            throw ConfigurationError(
                "--license-server must be an https:// URL without credentials, such as https://licensing.example.com (plain http only on loopback)"
            )
        }
        let key = licenseKey.trimmingCharacters(in: .whitespacesAndNewlines)
        guard key.wholeMatch(of: /stw_lic_[0-9a-f]{32}/) != nil else {
            throw ConfigurationError("the license key must be stw_lic_ and 32 hex digits, as the license service issued it")
        }
        guard (1...604_800).contains(telemetryInterval) else {
            throw ConfigurationError("--telemetry-interval must be from 1 to 604800 seconds")
        }
        self.serverURL = url
        self.licenseKey = key
        self.telemetryInterval = telemetryInterval
    }

    /// Reads the license key from a file that only its owner may read (`--license-key-file`): a key on
    /// the command line would show in every user's process list.
    public static func readKeyFile(_ path: String) throws(ConfigurationError) -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let permissions = attributes[.posixPermissions] as? Int
        else { throw ConfigurationError("cannot read the license key file \(path)") }
        guard permissions & 0o077 == 0 else {
            throw ConfigurationError(
                "the license key file \(path) may be read by others (mode \(String(permissions, radix: 8))); chmod 600 it")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError("cannot read the license key file \(path)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
