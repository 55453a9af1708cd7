import StewardCore

/// What a job does, stored as its `kind` text: an app's script (`install`, `uninstall`, `upgrade`,
/// `health`), a `composite` chain of steps, or a single step (`file.read`, `shell`, …).
public enum JobKind: Sendable, Hashable, CustomStringConvertible {
    case app(ScriptRole)
    case composite
    case step(Wire.Job.Step.Kind)

    public init?(rawValue: String) {
        if let role = ScriptRole(rawValue: rawValue) {
            self = .app(role)
        } else if rawValue == "composite" {
            self = .composite
        } else if let step = Wire.Job.Step.Kind(rawValue: rawValue) {
            self = .step(step)
        } else {
            return nil
        }
    }

    public var rawValue: String {
        switch self {
        case .app(let role): role.rawValue
        case .composite: "composite"
        case .step(let step): step.rawValue
        }
    }

    public var description: String { rawValue }

    /// The script role of an app job; `nil` for step jobs.
    public var scriptRole: ScriptRole? {
        if case .app(let role) = self { role } else { nil }
    }
}
