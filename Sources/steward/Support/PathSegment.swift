import ArgumentParser
import Foundation

/// Ids typed by operators become one URL path segment, never a path of their own.
enum PathSegment {
    static func encode(_ id: String) throws -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.")
        guard !id.isEmpty, let encoded = id.addingPercentEncoding(withAllowedCharacters: allowed) else {
            throw ValidationError("'\(id)' is not an id")
        }
        return encoded
    }
}
