/// A broken invariant inside storage: a bug or a damaged database, never the client's fault.
public struct StoreError: Error, CustomStringConvertible {
    public var description: String

    package init(_ description: String) {
        self.description = description
    }
}
