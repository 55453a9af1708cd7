/// A unified diff (`diff -u` format) between two texts, line by line, with three lines of context.
/// Built on the standard library's `CollectionDifference` (Myers' algorithm).
struct UnifiedDiff {
    static let context = 3

    /// The diff, starting with `--- from` and `+++ to`; empty when the texts are equal.
    static func make(from old: String, to new: String, fromLabel: String, toLabel: String) -> String {
        let before = lines(of: old)
        let after = lines(of: new)
        let edits = script(from: before, to: after)
        guard edits.contains(where: { $0.kind != .same }) else { return "" }
        var output = "--- \(fromLabel)\n+++ \(toLabel)\n"
        for hunk in hunks(of: edits) {
            output += hunk
        }
        return output
    }

    private enum Kind { case same, removed, added }

    private struct Edit {
        var kind: Kind
        var text: Substring
        /// Line numbers (0-based) before and after the edit, in each text.
        var oldLine: Int
        var newLine: Int
    }

    private static func lines(of text: String) -> [Substring] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// Every line of both texts in order: kept ones once, removed ones before what replaced them.
    private static func script(from before: [Substring], to after: [Substring]) -> [Edit] {
        let difference = after.difference(from: before)
        var removed = Set<Int>()
        var added = Set<Int>()
        for change in difference {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): added.insert(offset)
            }
        }
        var edits: [Edit] = []
        var old = 0
        var new = 0
        while old < before.count || new < after.count {
            if old < before.count, removed.contains(old) {
                edits.append(.init(kind: .removed, text: before[old], oldLine: old, newLine: new))
                old += 1
            } else if new < after.count, added.contains(new) {
                edits.append(.init(kind: .added, text: after[new], oldLine: old, newLine: new))
                new += 1
            } else {
                edits.append(.init(kind: .same, text: before[old], oldLine: old, newLine: new))
                old += 1
                new += 1
            }
        }
        return edits
    }

    /// Groups changes that are at most twice the context apart into `@@ -a,b +c,d @@` hunks.
    private static func hunks(of edits: [Edit]) -> [String] {
        let changed = edits.indices.filter { edits[$0].kind != .same }
        var groups: [ClosedRange<Int>] = []
        for index in changed {
            let range = max(0, index - context)...min(edits.count - 1, index + context)
            if let last = groups.last, range.lowerBound <= last.upperBound + 1 {
                groups[groups.count - 1] = last.lowerBound...range.upperBound
            } else {
                groups.append(range)
            }
        }
        return groups.map { range in
            let slice = edits[range]
            let oldCount = slice.filter { $0.kind != .added }.count
            let newCount = slice.filter { $0.kind != .removed }.count
            let first = slice.first!
            // A side with no lines names the line before the hunk (diff's convention).
            let oldStart = oldCount == 0 ? first.oldLine : first.oldLine + 1
            let newStart = newCount == 0 ? first.newLine : first.newLine + 1
            var text = "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n"
            for edit in slice {
                let mark = edit.kind == .same ? " " : edit.kind == .removed ? "-" : "+"
                text += mark + edit.text + "\n"
            }
            return text
        }
    }
}
