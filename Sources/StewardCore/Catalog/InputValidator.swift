import Foundation

/// Validates the values given for an app's inputs, the one implementation the API, the CLI and the
/// console form share.
///
/// The result is either every value normalised — keyed by input name and ready as the environment
/// variables the script receives — or every field error at once.
public enum InputValidator {
    /// What the script will receive, and which values are secret.
    public struct Validated: Sendable, Equatable {
        /// Normalised values of the visible inputs, by input name.
        public var values: [String: String]
        /// Names of inputs whose values are secrets (`password` inputs), to be masked wherever they appear.
        public var secretNames: Set<String>
        /// Names of password inputs whose value the hub generated.
        public var generatedNames: Set<String>

        /// The environment variables for the script: `NAME` upper-cased → value.
        public var environment: [String: String] {
            Dictionary(uniqueKeysWithValues: values.map { ($0.key.uppercased(), $0.value) })
        }

        /// The values with every secret replaced by `****`, fit to show or log.
        public var masked: [String: String] {
            values.reduce(into: [:]) { result, entry in
                result[entry.key] = secretNames.contains(entry.key) ? "****" : entry.value
            }
        }
    }

    /// Validates `given` against `manifest`. Unknown input names are errors, so typos do not pass silently.
    public static func validate(
        _ manifest: Manifest, given: [String: InputValue], generator: (Int) -> String = PasswordGenerator.generate(length:)
    ) -> Result<Validated, FieldErrors> {
        var errors: [Wire.FieldError] = []
        for name in given.keys.sorted() where manifest.input(named: name) == nil {
            errors.append(.init(field: name, message: "is not an input of \(manifest.id)"))
        }
        var values: [String: String] = [:]
        var generated: Set<String> = []
        // Inputs are decided in dependency order, so a condition sees the final value of what it depends on.
        for spec in visibilityOrder(manifest.inputs) {
            guard isVisible(spec, values: values, manifest: manifest) else { continue }
            let raw = given[spec.name]?.text ?? ""
            // Blank counts as not given, except for passwords, where spaces may be the point.
            let isEmpty = spec.type == .password ? raw.isEmpty : raw.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            if isEmpty {
                if spec.type == .password, let length = spec.generateLength {
                    values[spec.name] = generator(length)
                    generated.insert(spec.name)
                } else if let defaultValue = spec.defaultValue {
                    switch InputValueCheck.normalise(defaultValue, for: spec) {
                    case .success(let value): values[spec.name] = value
                    case .failure(let failure): errors.append(.init(field: spec.name, message: "has an invalid default: \(failure)"))
                    }
                } else if spec.required {
                    errors.append(.init(field: spec.name, message: "is required"))
                }
                continue
            }
            switch InputValueCheck.normalise(raw, for: spec) {
            case .success(let value): values[spec.name] = value
            case .failure(let failure): errors.append(.init(field: spec.name, message: failure.description))
            }
        }
        guard errors.isEmpty else { return .failure(FieldErrors(errors: errors)) }
        let secrets = Set(manifest.inputs.filter { $0.type == .password }.map(\.name))
        return .success(Validated(values: values, secretNames: secrets.intersection(values.keys), generatedNames: generated))
    }

    /// Whether `spec` is shown, given the values decided so far. An input whose controlling input is
    /// itself hidden (so has no value) is hidden too.
    static func isVisible(_ spec: InputSpec, values: [String: String], manifest: Manifest) -> Bool {
        spec.visibleIf.allSatisfy { controller, accepted in
            guard let value = values[controller], let controlling = manifest.input(named: controller) else { return false }
            return accepted.contains { expected in
                (try? InputValueCheck.normalise(expected, for: controlling).get()) == value
            }
        }
    }

    /// Inputs ordered so that each comes after the inputs its `visible_if` names. Inputs in a cycle
    /// (which manifest validation refuses) keep their document order.
    static func visibilityOrder(_ inputs: [InputSpec]) -> [InputSpec] {
        let names = Set(inputs.map(\.name))
        var ordered: [InputSpec] = []
        var placed: Set<String> = []
        var remaining = inputs
        while !remaining.isEmpty {
            let ready = remaining.firstIndex { spec in
                spec.visibleIf.keys.allSatisfy { placed.contains($0) || !names.contains($0) }
            }
            let spec = remaining.remove(at: ready ?? 0)
            ordered.append(spec)
            placed.insert(spec.name)
        }
        return ordered
    }
}

/// Every field error of a request at once.
public struct FieldErrors: Error, Sendable, Equatable {
    public var errors: [Wire.FieldError]

    public init(errors: [Wire.FieldError]) {
        self.errors = errors
    }
}
