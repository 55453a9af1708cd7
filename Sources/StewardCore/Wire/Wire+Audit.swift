import Foundation

extension Wire {
    /// The audit log: `GET /api/v1/audit`.
    public enum Audit {
        public struct Entry: Codable, Sendable, Equatable {
            /// Increases with every record; pages are cut by it.
            public var id: Int64
            public var actor: String
            public var action: String
            public var target: String
            /// Non-secret particulars, such as the labels given to a token.
            public var detail: [String: String]
            public var sourceAddress: String
            public var createdAt: Date

            public init(
                id: Int64,
                actor: String,
                action: String,
                target: String,
                detail: [String: String],
                sourceAddress: String,
                createdAt: Date
            ) {
                self.id = id
                self.actor = actor
                self.action = action
                self.target = target
                self.detail = detail
                self.sourceAddress = sourceAddress
                self.createdAt = createdAt
            }

            enum CodingKeys: String, CodingKey {
                case id, actor, action, target, detail
                case sourceAddress = "source_address"
                case createdAt = "created_at"
            }
        }

        /// One page, newest first. Ask for the next with `?before=<nextBefore>`.
        public struct Page: Codable, Sendable {
            public var items: [Entry]
            public var nextBefore: Int64?

            public init(items: [Entry], nextBefore: Int64?) {
                self.items = items
                self.nextBefore = nextBefore
            }

            enum CodingKeys: String, CodingKey {
                case items
                case nextBefore = "next_before"
            }
        }
    }
}
