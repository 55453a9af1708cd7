import HTTPTypes
import StewardHub

/// The license service's schema, oldest first: its own database, migrated by the hub's ``Migrator``.
///
/// Keys are kept as SHA-256 only (`*_lookup` is the first 16 hex digits, to find a row; `*_hash`
/// the whole, compared in constant time). Telemetry bodies are what the allow-list kept, nothing else.
enum LicensingMigrations {
    static let all: [Migration] = [foundation]

    /// Another advisory lock than the hub's, in case both ever share one PostgreSQL database.
    static let advisoryLock: Int64 = 727_100_002

    static let foundation = Migration(version: 1, name: "licensing") { _ in
        [
            """
            CREATE TABLE admin_keys (
                id TEXT PRIMARY KEY,
                lookup_key TEXT NOT NULL UNIQUE,
                key_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                revoked_at BIGINT
            )
            """,
            """
            CREATE TABLE admin_sessions (
                id TEXT PRIMARY KEY,
                lookup_key TEXT NOT NULL UNIQUE,
                token_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE clients (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                contact_email TEXT,
                notes TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                deleted_at BIGINT
            )
            """,
            """
            CREATE TABLE instances (
                id TEXT PRIMARY KEY,
                client_id TEXT NOT NULL REFERENCES clients(id),
                name TEXT NOT NULL,
                state TEXT NOT NULL,
                max_servers BIGINT,
                max_users BIGINT,
                expires_at BIGINT,
                features TEXT NOT NULL,
                license_lookup TEXT NOT NULL UNIQUE,
                license_hash TEXT NOT NULL,
                hub_key_hash TEXT,
                fingerprint TEXT,
                move_allowed BOOLEAN NOT NULL,
                activated_at BIGINT,
                last_telemetry_at BIGINT,
                version TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX instances_by_client ON instances (client_id, created_at)",
            """
            CREATE TABLE telemetry_windows (
                instance_id TEXT NOT NULL REFERENCES instances(id),
                window_start BIGINT NOT NULL,
                window_end BIGINT NOT NULL,
                received_at BIGINT NOT NULL,
                dropped_fields BIGINT NOT NULL,
                body TEXT NOT NULL,
                PRIMARY KEY (instance_id, window_start)
            )
            """,
        ]
    }
}
