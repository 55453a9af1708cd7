import Foundation

/// Where the hub's database is, parsed from `--database-url`.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgresql(url: String)

    public var kind: DatabaseKind {
        switch self {
        case .sqlite: .sqlite
        case .postgresql: .postgresql
        }
    }

    /// Accepts `postgres://…`, `postgresql://…`, `sqlite:///absolute/path`, `sqlite://relative/path` or a bare file path.
    public init(url: String) throws(ConfigurationError) {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgresql(url: url)
        } else if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw ConfigurationError("--database-url sqlite:// needs a file path") }
            self = .sqlite(path: path)
        } else if url.contains("://") {
            throw ConfigurationError("--database-url must start with postgres://, postgresql:// or sqlite://, or be a file path")
        } else {
            self = .sqlite(path: url)
        }
    }

    /// The URL with any password replaced, fit for logs.
    public var redacted: String {
        switch self {
        case .sqlite(let path): return "sqlite://\(path)"
        case .postgresql(let url):
            guard var components = URLComponents(string: url) else { return "postgres://…" }
            if components.password != nil { components.password = "****" }
            return components.string ?? "postgres://…"
        }
    }
}
