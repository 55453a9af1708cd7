/// The closed sets of words a telemetry document may contain. A word outside them never leaves a hub
/// and is never stored by the license service: it could be anything, a customer's name included.
public enum TelemetryVocabulary {
    /// The apps of the catalog that ships with Steward. A hub's own apps are counted as `other`: their
    /// names are the customer's.
    public static let apps: Set<String> = [
        "caddy", "certbot", "docker", "fail2ban", "firewall", "mariadb", "nginx", "node-exporter", "postgresql", "redis",
        "ssh-hardening", "unattended-upgrades", other,
    ]

    /// `ID` values of `/etc/os-release` that are counted by name; every other system is `other`.
    public static let osIDs: Set<String> = [
        "almalinux", "alpine", "amzn", "arch", "centos", "debian", "fedora", "linuxmint", "ol", "opensuse-leap", "raspbian", "rhel",
        "rocky", "sles", "ubuntu", other,
    ]

    public static let jobKinds: Set<String> = Set(
        ScriptRole.allCases.map(\.rawValue) + ["composite"] + Wire.Job.Step.Kind.allCases.map(\.rawValue))

    public static let jobStatuses: Set<String> = Set(Wire.Job.Status.allCases.map(\.rawValue))

    public static let serverStatuses: Set<String> = Set(Wire.Server.Status.allCases.map(\.rawValue))

    /// Error codes are how jobs ended without success, never their messages.
    public static let errorCodes: Set<String> = Set(Wire.Job.Status.unsuccessful.map(\.rawValue))

    public static let databases: Set<String> = ["sqlite", "postgresql"]

    /// What stands for any name that is not in a vocabulary.
    public static let other = "other"
}
