extension Manifest {
    public var summary: Wire.App.Summary {
        .init(id: id, name: name, version: version, category: category, description: description)
    }

    /// The manifest as the API shows it. Password defaults do not exist; script contents are not included.
    public var detail: Wire.App.Detail {
        var detail = Wire.App.Detail(
            id: id, name: name, version: version, category: category, description: description,
            osRequirements: osRequirements.map { .init(family: $0.family, minVersion: $0.minVersion) }, requires: requires,
            inputs: inputs.map(\.wire), outputs: outputs, timeoutSeconds: timeoutSeconds, idempotent: idempotent,
            scripts: scripts.all.map(\.role.rawValue))
        detail.secretOutputs = secretOutputs
        return detail
    }
}

extension InputSpec {
    var wire: Wire.App.Input {
        .init(
            name: name, type: type.rawValue, label: label, help: help, required: required,
            default: type == .password ? nil : defaultValue,
            rules: rules,
            options: options.map { .init(value: $0.value, label: $0.label) }, visibleIf: visibleIf, generateLength: generateLength)
    }
}
