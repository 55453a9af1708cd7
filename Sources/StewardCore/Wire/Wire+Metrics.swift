import Foundation

extension Wire {
    /// Host metrics: what agents report (`POST /api/v1/agent/metrics`) and what operators read back
    /// (`GET /api/v1/servers/{id}/metrics`).
    public enum Metrics {
        /// One reading of a server: values by series key, `name` or `name{label=value,…}` (labels
        /// sorted), e.g. `cpu.percent`, `disk.used_percent{mount=/}`.
        public struct Sample: Codable, Sendable, Equatable {
            public var at: Date
            public var values: [String: Double]

            public init(at: Date, values: [String: Double]) {
                self.at = at
                self.values = values
            }
        }

        /// Samples in the order they were taken; a report may carry many after the hub was unreachable.
        public struct Report: Codable, Sendable {
            public var samples: [Sample]

            public init(samples: [Sample]) {
                self.samples = samples
            }
        }

        /// The answer to a query: one series per key whose name was asked for, at `step` seconds, read
        /// from the stored resolution the hub chose (`raw`, `1m` or `1h`).
        public struct Query: Codable, Sendable, Equatable {
            public var from: Date
            public var to: Date
            public var step: Int
            public var resolution: String
            public var series: [Series]

            public init(from: Date, to: Date, step: Int, resolution: String, series: [Series]) {
                self.from = from
                self.to = to
                self.step = step
                self.resolution = resolution
                self.series = series
            }
        }

        public struct Series: Codable, Sendable, Equatable {
            public var name: String
            public var labels: [String: String]
            public var points: [Point]

            public init(name: String, labels: [String: String], points: [Point]) {
                self.name = name
                self.labels = labels
                self.points = points
            }
        }

        /// What the samples of one step held: their least, mean and greatest value.
        public struct Point: Codable, Sendable, Equatable {
            public var at: Date
            public var min: Double
            public var avg: Double
            public var max: Double

            public init(at: Date, min: Double, avg: Double, max: Double) {
                self.at = at
                self.min = min
                self.avg = avg
                self.max = max
            }
        }

        /// The key of a series: its name and its labels, sorted.
        public static func key(_ name: String, _ labels: [String: String] = [:]) -> String {
            guard !labels.isEmpty else { return name }
            return name + "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}"
        }

        /// A key taken apart; `nil` when it is not one: a name of lower-case letters, digits, `_` and
        /// `.` (starting with a letter, at most 64), labels `key=value` with keys of the same letters and
        /// values of at most 128 characters without `{`, `}`, `,`, `=` or control characters.
        public static func parse(key: String) -> (name: String, labels: [String: String])? {
            let name: Substring
            var labels: [String: String] = [:]
            if let open = key.firstIndex(of: "{") {
                guard key.hasSuffix("}") else { return nil }
                name = key[..<open]
                let inside = key[key.index(after: open)..<key.index(before: key.endIndex)]
                for pair in inside.split(separator: ",", omittingEmptySubsequences: false) {
                    let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    guard parts.count == 2, isName(parts[0], dots: false), isLabelValue(parts[1]), labels[String(parts[0])] == nil else {
                        return nil
                    }
                    labels[String(parts[0])] = String(parts[1])
                }
                guard !labels.isEmpty else { return nil }
            } else {
                name = key[...]
            }
            guard isName(name, dots: true) else { return nil }
            return (String(name), labels)
        }

        private static func isName(_ text: Substring, dots: Bool) -> Bool {
            guard let first = text.unicodeScalars.first, ("a"..."z").contains(first), text.utf8.count <= 64 else { return false }
            return text.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || (dots && $0 == ".")
            }
        }

        private static func isLabelValue(_ text: Substring) -> Bool {
            !text.isEmpty && text.utf8.count <= 128
                && text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7f && !"{},=".unicodeScalars.contains($0) }
        }
    }
}
