import Crypto
import Foundation
import StewardCore

/// How a `metric_samples` row keeps its series.
///
/// Encoding 2 (written since migration 15) names the row's set of series keys once, in
/// `metric_keysets`, and keeps only the values in the row: `<keyset id>\n<v>,<v>,…` in the keys'
/// sorted order, raw rows one value per key and roll-ups four (`count,sum,min,max`). Values are
/// rounded to four decimals and written in their shortest form. A server's series rarely change,
/// so nearly all its rows share one key set; a raw row of 40 series goes from about 1,340 bytes
/// (encoding 1: a JSON object of keys and values) to about 260. Encoding 1 rows are still read;
/// they age out with their retention.
enum MetricEncoding {
    static let current = 2

    /// A set of series keys: their sorted list and the id it is kept under for its tenant.
    struct Keyset: Sendable, Equatable {
        var id: String
        var keys: [String]

        init(tenantID: String, keys: some Sequence<String>) {
            self.keys = keys.sorted()
            let digest = SHA256.hash(data: Data((tenantID + "\n" + self.keys.joined(separator: "\n")).utf8))
            // 96 bits: no two key sets a hub will ever see share an id.
            id = Hex.encode(digest.prefix(12))
        }

        var storedKeys: String { keys.joined(separator: "\n") }
    }

    static func encodeRaw(_ values: [String: Double], keyset: Keyset) -> String {
        keyset.id + "\n" + keyset.keys.map { number(values[$0] ?? 0) }.joined(separator: ",")
    }

    static func encodeRollUp(_ values: [String: MetricAggregate], keyset: Keyset) -> String {
        keyset.id + "\n"
            + keyset.keys.map { key in
                let aggregate = values[key] ?? .empty
                return [aggregate.count, aggregate.sum, aggregate.min, aggregate.max].map(number).joined(separator: ",")
            }.joined(separator: ",")
    }

    /// The key set id an encoding 2 row names.
    static func keysetID(of data: String) -> Substring? {
        data.firstIndex(of: "\n").map { data[..<$0] }
    }

    /// A row's series. `keys` are those of the key set it names (encoding 2).
    static func decode(_ data: String, encoding: Int, raw: Bool, keys: [String]?) throws -> [String: MetricAggregate] {
        switch encoding {
        case 1:
            let bytes = Data(data.utf8)
            if raw { return try JSONDecoder().decode([String: Double].self, from: bytes).mapValues(MetricAggregate.init) }
            return try JSONDecoder().decode([String: [Double]].self, from: bytes).compactMapValues { parts in
                parts.count == 4 ? MetricAggregate(count: parts[0], sum: parts[1], min: parts[2], max: parts[3]) : nil
            }
        case 2:
            guard let keys, let newline = data.firstIndex(of: "\n") else {
                throw StoreError("a metrics row names a key set that is not stored")
            }
            let numbers = data[data.index(after: newline)...].split(separator: ",").compactMap { Double($0) }
            let width = raw ? 1 : 4
            guard numbers.count == keys.count * width else { throw StoreError("a metrics row does not match its key set") }
            var values: [String: MetricAggregate] = [:]
            for (index, key) in keys.enumerated() {
                if raw {
                    values[key] = MetricAggregate(numbers[index])
                } else {
                    let base = index * 4
                    values[key] = MetricAggregate(
                        count: numbers[base], sum: numbers[base + 1], min: numbers[base + 2], max: numbers[base + 3])
                }
            }
            return values
        default:
            throw StoreError("metrics row in encoding \(encoding), which this Steward does not know")
        }
    }

    /// Four decimals, shortest form: `20.7`, `1234567`, `0.0003`.
    static func number(_ value: Double) -> String {
        let rounded = (value * 10_000).rounded() / 10_000
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
        return String(describing: rounded)
    }
}
