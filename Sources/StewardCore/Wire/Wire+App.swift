extension Wire {
    /// The catalog as the API shows it: `/api/v1/apps`. Script contents never leave the hub.
    public enum App {
        public struct Summary: Codable, Sendable, Equatable {
            public var id: String
            public var name: String
            public var version: String
            public var category: String
            public var description: String

            public init(id: String, name: String, version: String, category: String, description: String) {
                self.id = id
                self.name = name
                self.version = version
                self.category = category
                self.description = description
            }
        }

        /// One app with the schema of its install form.
        public struct Detail: Codable, Sendable, Equatable {
            public var id: String
            public var name: String
            public var version: String
            public var category: String
            public var description: String
            public var osRequirements: OSRequirements?
            public var requires: [String]
            public var inputs: [Input]
            public var outputs: [String]
            /// The outputs whose values are secret.
            public var secretOutputs: [String] = []
            public var timeoutSeconds: Int
            public var idempotent: Bool
            /// Which scripts exist (`install`, `uninstall`, `upgrade`, `health`), not what they contain.
            public var scripts: [String]

            public init(
                id: String, name: String, version: String, category: String, description: String, osRequirements: OSRequirements?,
                requires: [String], inputs: [Input], outputs: [String], timeoutSeconds: Int, idempotent: Bool, scripts: [String]
            ) {
                self.id = id
                self.name = name
                self.version = version
                self.category = category
                self.description = description
                self.osRequirements = osRequirements
                self.requires = requires
                self.inputs = inputs
                self.outputs = outputs
                self.timeoutSeconds = timeoutSeconds
                self.idempotent = idempotent
                self.scripts = scripts
            }

            enum CodingKeys: String, CodingKey {
                case id, name, version, category, description, requires, inputs, outputs, idempotent, scripts
                case secretOutputs = "secret_outputs"
                case osRequirements = "os_requirements"
                case timeoutSeconds = "timeout_seconds"
            }
        }

        public struct OSRequirements: Codable, Sendable, Equatable {
            public var family: [String]
            public var minVersion: String?

            public init(family: [String], minVersion: String?) {
                self.family = family
                self.minVersion = minVersion
            }

            enum CodingKeys: String, CodingKey {
                case family
                case minVersion = "min_version"
            }
        }

        /// One field of the install form.
        public struct Input: Codable, Sendable, Equatable {
            public var name: String
            public var type: String
            public var label: String
            public var help: String?
            public var required: Bool
            public var `default`: String?
            public var rules: InputSpec.Rules
            public var options: [Option]
            public var visibleIf: [String: [String]]
            /// For passwords: the length the hub generates when the field is left empty.
            public var generateLength: Int?

            public init(
                name: String, type: String, label: String, help: String?, required: Bool, default: String?, rules: InputSpec.Rules,
                options: [Option], visibleIf: [String: [String]], generateLength: Int?
            ) {
                self.name = name
                self.type = type
                self.label = label
                self.help = help
                self.required = required
                self.default = `default`
                self.rules = rules
                self.options = options
                self.visibleIf = visibleIf
                self.generateLength = generateLength
            }

            enum CodingKeys: String, CodingKey {
                case name, type, label, help, required, `default`, rules, options
                case visibleIf = "visible_if"
                case generateLength = "generate_length"
            }
        }

        public struct Option: Codable, Sendable, Equatable {
            public var value: String
            public var label: String

            public init(value: String, label: String) {
                self.value = value
                self.label = label
            }
        }

        /// `POST /api/v1/apps/{id}/validate`.
        public struct ValidateRequest: Codable, Sendable {
            public var inputs: [String: InputValue]

            public init(inputs: [String: InputValue]) {
                self.inputs = inputs
            }
        }

        /// The normalised values, secrets masked as `****`, and which passwords the hub would generate.
        public struct ValidateResponse: Codable, Sendable, Equatable {
            public var values: [String: String]
            public var generated: [String]

            public init(values: [String: String], generated: [String]) {
                self.values = values
                self.generated = generated
            }
        }
    }
}
