import Foundation

/// A log rule's regular expression (ICU syntax, through `NSRegularExpression`), matched under a
/// time budget.
///
/// Swift's own `Regex` cannot be interrupted, and a pattern that backtracks catastrophically
/// (`(a+)+b` on a long line of `a`s) would hold a hub thread for minutes. ICU's matcher calls back
/// while it works (`.reportProgress`); the callback stops the match once the budget is spent, so a
/// rule costs at most its budget per batch, and the caller can turn a rule off that keeps needing more.
/// The callbacks come at every position the matcher tries, which makes a pass about four times
/// slower than one without; ``init(anyOf:)`` makes one pattern of many, so that a tenant's rules
/// cost one pass over a batch, not one each.
struct LogPattern: @unchecked Sendable {
    // @unchecked: NSRegularExpression is immutable once made, and safe to match from several threads.
    let source: String
    private let expression: NSRegularExpression

    static let maxLength = 512
    /// What one pass may spend on one batch of lines.
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

    /// Lines joined for one pass, with where each starts (in UTF-16 units, as ICU counts).
    struct Batch {
        let lines: [String]
        let text: String
        let starts: [Int]

        init(_ lines: [String]) {
            // utf8.count first: counting characters walks the whole line, and nearly every line is short.
            self.lines = lines.map {
                $0.utf8.count <= LogPattern.maxLineLength || $0.count <= LogPattern.maxLineLength
                    ? $0 : String($0.prefix(LogPattern.maxLineLength))
            }
            var starts: [Int] = []
            starts.reserveCapacity(self.lines.count)
            var offset = 0
            for line in self.lines {
                starts.append(offset)
                offset += line.utf16.count + 1
            }
            self.starts = starts
            text = self.lines.joined(separator: "\n")
        }

        /// The index of the line that holds UTF-16 offset `location`.
        func line(at location: Int) -> Int {
            var low = 0
            var high = starts.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if starts[middle] <= location { low = middle } else { high = middle - 1 }
            }
            return low
        }
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

    /// One pattern that matches wherever any of `patterns` does: each in a group of its own (so its
    /// flags stay its own). Patterns with back-references cannot join (their group numbers would move).
    init?(anyOf patterns: [LogPattern]) {
        guard patterns.count > 1, patterns.allSatisfy(\.canJoin) else { return nil }
        let joined = patterns.map { "(?:\($0.source))" }.joined(separator: "|")
        guard let expression = try? NSRegularExpression(pattern: joined, options: [.anchorsMatchLines]) else { return nil }
        self.expression = expression
        source = joined
    }

    /// Whether the pattern can be part of ``init(anyOf:)``: it refers back to none of its groups.
    var canJoin: Bool { source.firstMatch(of: /\\[1-9]|\\k[<{']/) == nil }

    /// A new pattern must also get through lines that make careless patterns backtrack without end,
    /// within the budget; that catches most of them before they ever see a real log.
    func checkCost() throws(Problem) {
        let probes = [
            String(repeating: "a", count: 2048) + "!",
            String(repeating: "ab ", count: 700) + "\u{1}",
            String(repeating: "0123456789", count: 200) + "x",
            String(repeating: "- [ ] ( ) { } . * + ? ", count: 90),
        ]
        // The budget is wall time: a busy machine can make one run late, but a pattern that backtracks
        // without end is late every time. Only one late on every try is refused.
        if (0..<3).allSatisfy({ _ in match(probes, budget: Self.budget) == .overBudget }) {
            throw Problem(
                message: "takes longer than \(Self.budget) on a 2 KiB line; nested repetition such as (a+)+ backtracks without end")
        }
    }

    /// The first of `lines` that the pattern matches, or why there is none.
    func match(_ lines: [String], budget: Duration = budget) -> Outcome {
        let batch = Batch(lines)
        guard let found = matchingLines(in: batch, limit: 1, budget: budget) else { return .overBudget }
        return found.first.map { .matched(batch.lines[$0]) } ?? .noMatch
    }

    /// The indices of the batch's lines that hold a match, first to last, at most `limit`; `nil`
    /// when the budget ran out first.
    func matchingLines(in batch: Batch, limit: Int, budget: Duration = budget) -> [Int]? {
        guard !batch.lines.isEmpty else { return [] }
        let deadline = ContinuousClock.now + budget
        var found: [Int] = []
        var overBudget = false
        let range = NSRange(location: 0, length: batch.text.utf16.count)
        expression.enumerateMatches(in: batch.text, options: [.reportProgress], range: range) { result, _, stop in
            if let result {
                let line = batch.line(at: result.range.location)
                if found.last != line { found.append(line) }
                if found.count >= limit { stop.pointee = true }
            } else if ContinuousClock.now > deadline {
                overBudget = true
                stop.pointee = true
            }
        }
        return overBudget ? nil : found
    }
}
