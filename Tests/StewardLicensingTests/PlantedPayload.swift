import Foundation
import HTTPTypes
import StewardCore
import StewardTestSupport

/// A random telemetry document with things that must never be kept planted in random places: secrets,
/// file contents, stack traces, free-text messages and environment values, each carrying a marker
/// so that a test can search for it in any encoding (JSON escapes, SQL, HTML).
struct PlantedPayload {
    var document: JSONValue
    /// The marker of every planted string; none may survive.
    var markers: [String]

    /// What every marker starts with.
    static let markerPrefix = "plnt"

    /// The shapes of what is planted; `{m}` stands for the marker.
    static let templates = [
        "stw_api_{m}Zx9Qm4Lp0Rt7Wv2Yb5Nc8Kd1Hf3Gj6",  // a Steward API token
        "AKIA{m}QWERTYUIOPASDF",  // a cloud access key
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA{m}\n-----END OPENSSH PRIVATE KEY-----",
        "root:x:0:0:root:/root:/bin/bash\ndaemon:{m}:1:1:daemon:/usr/sbin",  // /etc/passwd
        "Fatal error: Unexpectedly found nil at /srv/app/Sources/Billing.swift:42 ({m})\n0 libswiftCore.so 0x7f3a",
        "invoice 4411 for Acme GmbH could not be charged: {m}",  // a customer's message
        "DATABASE_URL=postgres://billing:{m}@10.0.0.5/prod",  // an environment value
        "{m}",  // a bare word: not in any vocabulary
        "1.2.3-{m}",  // shaped almost like a version
        "debian-{m}",  // shaped almost like a system
    ]

    /// The members of a window, and what an honest value of each looks like.
    static let honest: [(String, JSONValue)] = [
        ("hub_version", .string("0.1.0")), ("database", .string("sqlite")), ("users", .number(3)),
        (
            "servers",
            .object(["total": .number(2), "by_status": .object(["online": .number(2)]), "by_os": .object(["debian-12": .number(2)])])
        ),
        ("agent_versions", .object(["0.1.0": .number(2)])),
        (
            "jobs",
            .array([.object(["kind": .string("install"), "status": .string("succeeded"), "app": .string("nginx"), "count": .number(1)])])
        ),
        ("error_codes", .object(["failed": .number(1)])), ("apps_installed", .object(["nginx": .number(1)])),
    ]

    static func make(seed: UInt64, instanceID: String, start: Date) -> PlantedPayload {
        var random = SplitMix64(seed: seed)
        var markers: [String] = []
        func plant() -> String {
            let marker = markerPrefix + String(random.next(), radix: 36)
            markers.append(marker)
            return templates[Int(random.next() % UInt64(templates.count))].replacing("{m}", with: marker)
        }
        /// A planted value of a random shape: a string, or one inside an object or a list.
        func plantedValue(depth: Int = 0) -> JSONValue {
            switch depth < 2 ? random.next() % 4 : 0 {
            case 0: return .string(plant())
            case 1: return .object([plant(): .number(1), "detail": plantedValue(depth: depth + 1)])
            case 2: return .array([.string("ok"), plantedValue(depth: depth + 1)])
            default: return .object(["message": .string(plant())])
            }
        }
        /// Plants into `value` somewhere: a new member, a replaced value, or a key of a table.
        func contaminate(_ value: JSONValue, depth: Int) -> JSONValue {
            switch value {
            case .object(var members):
                let roll = random.next() % 4
                if roll == 0 || members.isEmpty {
                    members[plant()] = plantedValue()
                } else if roll == 1 {
                    let key = members.keys.sorted()[Int(random.next() % UInt64(members.count))]
                    members[key] = plantedValue()
                } else if let key = members.keys.sorted().randomElement(using: &random), depth < 4 {
                    members[key] = contaminate(members[key]!, depth: depth + 1)
                }
                return .object(members)
            case .array(var items):
                if items.isEmpty || random.next() % 2 == 0 {
                    items.append(plantedValue())
                } else {
                    let index = Int(random.next() % UInt64(items.count))
                    items[index] = contaminate(items[index], depth: depth + 1)
                }
                return .array(items)
            default:
                return plantedValue()
            }
        }
        var members: [String: JSONValue] = [
            "instance_id": .string(instanceID), "window_start": .string(start.ISO8601Format()),
            "window_end": .string(start.addingTimeInterval(3600).ISO8601Format()),
        ]
        for (key, value) in honest where random.next() % 3 != 0 { members[key] = value }
        var document = JSONValue.object(members)
        for _ in 0..<(1 + Int(random.next() % 6)) { document = contaminate(document, depth: 0) }
        // The window itself must stay, or there would be nothing to store.
        if case .object(var final) = document {
            final["window_start"] = members["window_start"]
            final["window_end"] = members["window_end"]
            document = .object(final)
        }
        // Only what is still in the document was sent (a plant in the window's times was replaced).
        let text = (try? document.jsonText()) ?? ""
        return PlantedPayload(document: document, markers: markers.filter(text.contains))
    }
}
