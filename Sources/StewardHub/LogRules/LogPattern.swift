import Foundation

/// A log rule's regular expression (ICU syntax, through `NSRegularExpression`), matched under a
/// time budget.
///
/// Swift's own `Regex` cannot be interrupted, and a pattern that backtracks catastrophically
/// (`(a+)+b` on a long line of `a`s) would hold a hub thread for minutes. ICU's matcher calls back
/// while it works (`.reportProgress`); the callback stops the match once the budget is spent, so a
/// rule costs at most its budget per batch, and the caller can turn a rule off that keeps needing more.
struct LogPattern: @unchecked Sendable {
    // @unchecked: NSRegularExpression is immutable once made, and safe to match from several threads.
    let source: String
    private let expression: NSRegularExpression

    static let maxLength = 512
    /// What one rule may spend on one batch of lines.
    static let budget: Duration = .milliseconds(50)
    /// Lines longer than this are matched on their start only.
    static let maxLineLength = 4096

    /// What came of matching a batch.
    enum Outcome: Equatable {
        /// The first line that matched.
        case matched(String)
        case noMatch
        /// The budget ran out before the matcher got through the batch.
        case overBudget
    }

    /// Why a pattern is not accepted, said for the person who wrote it.
    struct Problem: Error {
        var message: String
    }

    init(_ pattern: String) throws(Problem) {
        guard !pattern.isEmpty else { throw Problem(message: "must not be empty") }
        guard pattern.count <= Self.maxLength else { throw Problem(message: "must be at most \(Self.maxLength) characters") }
        do {
            expression = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
        } catch {
            throw Problem(message: "is not a regular expression ICU understands")
        }
        source = pattern
    }

    /// A new pattern must also get through lines that make careless patterns backtrack without end,
    /// within the budget; that catches most of them before they ever see a real log.
    func checkCost() throws(Problem) {
        let probes = [
            String(repeating: "a", count: 2048) + "!",
            String(repeating: "ab ", count: 700) + "\u{1}",
            String(repeating: "0123456789", count: 200) + "x",
            String(repeating: "- [ ] ( ) { } . * + ? ", count: 90),
        ]
        if match(probes, budget: Self.budget) == .overBudget {
            throw Problem(
                message: "takes longer than \(Self.budget) on a 2 KiB line; nested repetition such as (a+)+ backtracks without end")
        }
    }

    /// The first of `lines` that the pattern matches, or why there is none.
    func match(_ lines: [String], budget: Duration = budget) -> Outcome {
        guard !lines.isEmpty else { return .noMatch }
        let bounded = lines.map { $0.count > Self.maxLineLength ? String($0.prefix(Self.maxLineLength)) : $0 }
        // One pass over the batch joined by newlines; each line's UTF-16 start finds the line a match is in.
        var starts: [Int] = []
        starts.reserveCapacity(bounded.count)
        var offset = 0
        for line in bounded {
            starts.append(offset)
            offset += line.utf16.count + 1
        }
        let text = bounded.joined(separator: "\n")
        let deadline = ContinuousClock.now + budget
        var found: Int?
        var overBudget = false
        expression.enumerateMatches(in: text, options: [.reportProgress], range: NSRange(location: 0, length: text.utf16.count)) {
            result, _, stop in
            if let result {
                found = result.range.location
                stop.pointee = true
            } else if ContinuousClock.now > deadline {
                overBudget = true
                stop.pointee = true
            }
        }
        if let found {
            var low = 0
            var high = starts.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if starts[middle] <= found { low = middle } else { high = middle - 1 }
            }
            return .matched(bounded[low])
        }
        return overBudget ? .overBudget : .noMatch
    }
}
