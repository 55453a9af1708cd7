import Foundation

/// Paths of fixture folders shared by several test targets.
public enum Fixtures {
    /// The repository root, found from this file's place in it.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// A catalog of valid apps: `webapp` (every input type and rule) and `nginx` (an earlier-platform manifest).
    public static let validCatalog = repositoryRoot + "/Tests/StewardCoreTests/Fixtures/valid"

    /// Apps for job tests: `probe` records each run and exits with the code it is given.
    public static let jobsCatalog = repositoryRoot + "/Tests/StewardEndToEndTests/Fixtures/jobs"

    /// A real SMTP server (aiosmtpd) with STARTTLS and authentication, for the mail tests.
    public static let smtpServer = repositoryRoot + "/Tests/StewardHubTests/Fixtures/smtp-server.py"

    /// An HTTP server that records every webhook it gets (and can fail the first few), for the alerting tests.
    public static let webhookReceiver = repositoryRoot + "/Tests/StewardHubTests/Fixtures/webhook-receiver.py"

    /// `vault`: an app with backup paths and backup and restore scripts, for the lifecycle tests.
    public static let lifecycleCatalog = repositoryRoot + "/Tests/StewardHubTests/Fixtures/lifecycle"

    /// Broken manifests, one folder per rule.
    public static let brokenManifests = repositoryRoot + "/Tests/StewardCoreTests/Fixtures/broken"
}
