extension Wire {
    /// What an agent reports about its server at enrollment and whenever it changes.
    public struct Facts: Codable, Sendable, Equatable {
        /// `ID` from `/etc/os-release`, e.g. `debian`.
        public var osID: String
        /// `VERSION_ID` from `/etc/os-release`, e.g. `12`.
        public var osVersion: String
        public var kernel: String
        public var architecture: String
        public var cpuCount: Int
        public var memoryBytes: Int64
        public var agentVersion: String

        public init(
            osID: String,
            osVersion: String,
            kernel: String,
            architecture: String,
            cpuCount: Int,
            memoryBytes: Int64,
            agentVersion: String
        ) {
            self.osID = osID
            self.osVersion = osVersion
            self.kernel = kernel
            self.architecture = architecture
            self.cpuCount = cpuCount
            self.memoryBytes = memoryBytes
            self.agentVersion = agentVersion
        }

        enum CodingKeys: String, CodingKey {
            case osID = "os_id"
            case osVersion = "os_version"
            case kernel
            case architecture
            case cpuCount = "cpu_count"
            case memoryBytes = "memory_bytes"
            case agentVersion = "agent_version"
        }

        /// Problems that make these facts unacceptable, empty when they are fine.
        ///
        /// Facts come from a machine the hub does not control, so every string is bounded before it
        /// is stored and later shown to operators.
        public func problems(field prefix: String = "facts") -> [FieldError] {
            var problems: [FieldError] = []
            let strings: [(String, String)] = [
                ("os_id", osID), ("os_version", osVersion), ("kernel", kernel),
                ("architecture", architecture), ("agent_version", agentVersion),
            ]
            for (name, value) in strings where value.count > 200 {
                problems.append(.init(field: "\(prefix).\(name)", message: "must be at most 200 characters"))
            }
            if !(0...65_536).contains(cpuCount) {
                problems.append(.init(field: "\(prefix).cpu_count", message: "must be between 0 and 65536"))
            }
            if memoryBytes < 0 {
                problems.append(.init(field: "\(prefix).memory_bytes", message: "must not be negative"))
            }
            return problems
        }
    }
}
