extension Wire {
    /// An RFC 9457 problem document, the body of every error response (`application/problem+json`).
    public struct Problem: Codable, Sendable, Equatable {
        /// A stable, machine-readable reason such as `registration_token_expired`.
        public var code: String
        public var title: String
        public var status: Int
        public var detail: String?
        /// Every field that was wrong, when the request body was the problem.
        public var errors: [FieldError]?
        /// The id of the request, as in its `X-Request-Id` header and the hub's log.
        public var requestID: String?

        public init(
            code: String, title: String, status: Int, detail: String? = nil, errors: [FieldError]? = nil, requestID: String? = nil
        ) {
            self.code = code
            self.title = title
            self.status = status
            self.detail = detail
            self.errors = errors
            self.requestID = requestID
        }

        enum CodingKeys: String, CodingKey {
            case code, title, status, detail, errors
            case requestID = "request_id"
        }
    }

    /// One wrong field in a request, named by its path (`labels.env`, `inputs[2].name`).
    public struct FieldError: Codable, Sendable, Equatable {
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }
}
