import Foundation
import StewardCore

/// A line chart of metric series as an SVG the hub draws itself: one line per series (its mean per
/// step), the band between the least and greatest value shaded for the first, an axis with the
/// highest value, a title and a description that says the figures for screen readers.
struct MetricsChart {
    var title: String
    var unit: Unit
    var series: [Wire.Metrics.Series]
    var from: Date
    var to: Date

    enum Unit {
        case percent, bytesPerSecond, count

        func format(_ value: Double) -> String {
            switch self {
            case .percent: String(format: "%.1f %%", value)
            case .count: String(format: "%.2f", value)
            case .bytesPerSecond:
                value >= 1_048_576
                    ? String(format: "%.1f MiB/s", value / 1_048_576)
                    : value >= 1024 ? String(format: "%.1f KiB/s", value / 1024) : String(format: "%.0f B/s", value)
            }
        }
    }

    static let width = 560.0
    static let height = 140.0
    static let colours = ["#2457c5", "#c2410c", "#15803d", "#7c3aed", "#be123c"]

    /// The label a series goes by in the legend: its labels' values (`/`, `eth0`), with the last part
    /// of its name first when one chart shows several names (`rx_bytes eth0`).
    static func label(_ series: Wire.Metrics.Series, naming: Bool = false) -> String {
        let values = series.labels.sorted { $0.key < $1.key }.map(\.value).joined(separator: " ")
        let name = series.name.split(separator: ".").last.map(String.init) ?? series.name
        if values.isEmpty { return series.name }
        return naming ? "\(name) \(values)" : values
    }

    var svg: String {
        let points = series.flatMap(\.points)
        let top = unit == .percent ? 100 : Swift.max(points.map(\.max).max() ?? 1, 1e-9) * 1.1
        let span = Swift.max(to.timeIntervalSince(from), 1)
        func x(_ date: Date) -> Double { (date.timeIntervalSince(from) / span * Self.width).clamped(0, Self.width) }
        func y(_ value: Double) -> Double { Self.height - (value / top * Self.height).clamped(0, Self.height) }
        func coordinates(_ pairs: [(Date, Double)]) -> String {
            pairs.map { String(format: "%.1f,%.1f", x($0.0), y($0.1)) }.joined(separator: " ")
        }
        var body = ""
        if let first = series.first, first.points.count > 1 {
            let band = first.points.map { ($0.at, $0.max) } + first.points.reversed().map { ($0.at, $0.min) }
            body += "<polygon points=\"\(coordinates(band))\" fill=\"\(Self.colours[0])\" fill-opacity=\"0.15\"/>"
        }
        for (index, line) in series.prefix(Self.colours.count).enumerated() {
            body +=
                "<polyline points=\"\(coordinates(line.points.map { ($0.at, $0.avg) }))\" fill=\"none\" stroke=\"\(Self.colours[index])\" stroke-width=\"1.5\"/>"
            // The latest value as a dot: a series of one point (a server just enrolled) is seen too.
            if let last = line.points.last {
                let centre = String(format: "cx=\"%.1f\" cy=\"%.1f\"", x(last.at), y(last.avg))
                body += "<circle \(centre) r=\"2.5\" fill=\"\(Self.colours[index])\"/>"
            }
        }
        let description = series.prefix(Self.colours.count).map { line -> String in
            let values = line.points.map(\.avg)
            guard let last = values.last, let low = line.points.map(\.min).min(), let high = line.points.map(\.max).max() else {
                return "\(Self.label(line, naming: true)): no samples"
            }
            return "\(Self.label(line, naming: true)): now \(unit.format(last)), lowest \(unit.format(low)), highest \(unit.format(high))"
        }.joined(separator: "; ")
        let id = title.lowercased().filter { $0.isLetter }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(Self.width)) \(Int(Self.height) + 16)" role="img" \
            aria-labelledby="chart-\(id)-title chart-\(id)-desc" class="chart-svg">\
            <title id="chart-\(id)-title">\(Self.escape(title))</title><desc id="chart-\(id)-desc">\(Self.escape(description))</desc>\
            <line x1="0" y1="\(Self.height)" x2="\(Self.width)" y2="\(Self.height)" stroke="#aab2c2"/>\
            <text x="2" y="12" font-size="11" fill="#4b5568">\(Self.escape(unit.format(top)))</text>\
            <text x="2" y="\(Int(Self.height) + 13)" font-size="11" fill="#4b5568">\(Self.escape(Self.timeLabel(from)))</text>\
            <text x="\(Int(Self.width) - 2)" y="\(Int(Self.height) + 13)" font-size="11" fill="#4b5568" text-anchor="end">\(Self.escape(Self.timeLabel(to)))</text>\
            \(body)</svg>
            """
    }

    static func timeLabel(_ date: Date) -> String {
        date.formatted(.dateTime.month(.abbreviated).day().hour().minute())
    }

    /// Labels come from agents (mount points, interface names): escaped like any page text.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

extension Double {
    fileprivate func clamped(_ low: Double, _ high: Double) -> Double { Swift.min(Swift.max(self, low), high) }
}
