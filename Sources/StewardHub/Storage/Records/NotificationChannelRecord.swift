import Foundation
import SQLKit
import StewardCore

/// A tenant's notification channel. Its address and secret are sealed with the master key
/// (`sealedConfig`, a ``NotificationChannelRecord/Config``); `urlShown` is what the API may show.
public struct NotificationChannelRecord: Sendable, Equatable {
    public var id: String
    public var tenantID: String
    public var name: String
    public var type: ChannelType
    public var urlShown: String
    public var sealedConfig: String
    public var hasSecret: Bool
    public var createdAt: Date

    /// What is sealed: where to deliver and the webhook signing secret.
    public struct Config: Codable, Sendable, Equatable {
        public var url: String
        public var secret: String?
    }

    public init(
        id: String, tenantID: String, name: String, type: ChannelType, urlShown: String, sealedConfig: String, hasSecret: Bool,
        createdAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.type = type
        self.urlShown = urlShown
        self.sealedConfig = sealedConfig
        self.hasSecret = hasSecret
        self.createdAt = createdAt
    }

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        tenantID = try row.decode(column: "tenant_id", as: String.self)
        name = try row.decode(column: "name", as: String.self)
        let typeText = try row.decode(column: "type", as: String.self)
        guard let type = ChannelType(rawValue: typeText) else { throw StoreError("channel \(id) has unknown type \(typeText)") }
        self.type = type
        urlShown = try row.decode(column: "url_shown", as: String.self)
        sealedConfig = try row.decode(column: "sealed_config", as: String.self)
        hasSecret = try row.decode(column: "has_secret", as: Bool.self)
        createdAt = Millis.date(try row.decode(column: "created_at", as: Int64.self))
    }

    public var wire: Wire.Alerting.Channel {
        .init(id: id, name: name, type: type.rawValue, url: urlShown, hasSecret: hasSecret, createdAt: createdAt)
    }
}
