extension Wire {
    /// The answer of `GET /api/v1/health`.
    public struct Health: Codable, Sendable, Equatable {
        public var status: String
        public var version: String
        /// `sqlite` or `postgresql`.
        public var database: String

        public init(status: String, version: String, database: String) {
            self.status = status
            self.version = version
            self.database = database
        }
    }
}
