/// Server labels: short `key: value` pairs operators use to group and target servers.
public enum Labels {
    public static let maxCount = 64
    public static let maxValueLength = 255

    /// Whether `key` is a valid label key: lower-case letters, digits and `.`, `_`, `/`, `-`,
    /// starting with a letter or digit, at most 63 characters.
    public static func isValidKey(_ key: String) -> Bool {
        guard let first = key.utf8.first, key.utf8.count <= 63 else { return false }
        func allowed(_ byte: UInt8, first: Bool) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "/"), UInt8(ascii: "-"): !first
            default: false
            }
        }
        return allowed(first, first: true) && key.utf8.dropFirst().allSatisfy { allowed($0, first: false) }
    }

    /// Every problem with a label map, each naming its field (`labels.env`).
    public static func problems(_ labels: [String: String], field: String = "labels") -> [Wire.FieldError] {
        var problems: [Wire.FieldError] = []
        if labels.count > maxCount {
            problems.append(.init(field: field, message: "at most \(maxCount) labels are allowed"))
        }
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
            if !isValidKey(key) {
                problems.append(
                    .init(
                        field: "\(field).\(key)",
                        message: "label keys use a-z, 0-9, '.', '_', '/', '-', start with a letter or digit and have at most 63 characters"
                    )
                )
            }
            if value.count > maxValueLength || value.contains(where: \.isNewline) {
                problems.append(
                    .init(field: "\(field).\(key)", message: "label values are one line of at most \(maxValueLength) characters")
                )
            }
        }
        return problems
    }
}
