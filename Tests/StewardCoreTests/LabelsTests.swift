import StewardCore
import Testing

struct LabelsTests {
    @Test(
        "label keys follow the documented alphabet",
        arguments: [
            ("env", true), ("team/db", true), ("k8s.io_x-y", true), ("9lives", true),
            ("", false), ("-lead", false), ("Upper", false), ("white space", false), ("émoji", false),
            (String(repeating: "a", count: 63), true), (String(repeating: "a", count: 64), false),
        ])
    func keys(key: String, valid: Bool) {
        #expect(Labels.isValidKey(key) == valid)
    }

    @Test("every problem of a label map is reported with its field")
    func problems() {
        let problems = Labels.problems(["Bad": "x", "ok": "fine", "long": String(repeating: "v", count: 256), "nl": "a\nb"])
        #expect(problems.map(\.field) == ["labels.Bad", "labels.long", "labels.nl"])
        #expect(Labels.problems(["env": "prod"]).isEmpty)
        let many = Dictionary(uniqueKeysWithValues: (0..<65).map { ("k\($0)", "v") })
        #expect(Labels.problems(many).first?.field == "labels")
    }
}
