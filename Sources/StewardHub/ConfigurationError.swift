/// A setting the hub cannot start with. The message is written for the operator who gave it.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
