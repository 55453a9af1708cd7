import Foundation
import HTTPTypes
import PropertyBased
import StewardCore
import StewardHub
import StewardTestSupport
import Synchronization
import Testing

/// The license service's promise: nothing but what the allow-list declares is ever kept. Random
/// windows with secrets, file contents, stack traces and messages planted in random places go
/// through the real API; none of what was planted reaches the database file, the log (at `trace`),
/// the admin API, the console, or the answer to the hub.
struct RedactionPropertyTests {
    @Test("planted secrets never reach the database, the logs, the admin API or the console")
    func plantedNeverKept() async throws {
        let logs = LogRecording()
        try await LicensingTestApp.run(logger: logs.logger(label: "licensing")) { app, location in
            let issued = try await app.makeInstance()
            let id = issued.instance.id
            let hubKey = try await app.activate(issued.licenseKey).decode(Wire.Licensing.Activation.self).hubAPIKey
            let allMarkers = Mutex<[String]>([])
            let answers = Mutex<[String]>([])
            let hour = Mutex(0)
            await propertyCheck(count: 150, input: Gen.uint64(in: 0 ... .max)) { seed in
                let start = Date(
                    timeIntervalSince1970: 1_796_000_000 + Double(
                        hour.withLock {
                            $0 += 1
                            return $0
                        }) * 3600)
                let payload = PlantedPayload.make(seed: seed, instanceID: id, start: start)
                allMarkers.withLock { $0 += payload.markers }
                let answer = try await app.sendTelemetry(id, hubKey: hubKey, json: try payload.document.jsonText())
                #expect(answer.status == .created, "seed \(seed): \(answer.text)")
                if !payload.markers.isEmpty {
                    #expect(try answer.decode(Wire.Licensing.TelemetryReceipt.self).droppedFields > 0, "seed \(seed)")
                }
                answers.withLock { $0.append(answer.text) }
            }
            let markers = allMarkers.withLock { $0 }
            #expect(markers.count >= 100)

            var seen = try DatabaseBytes.read(location)
            seen.append(contentsOf: (logs.text + answers.withLock { $0.joined() }).utf8)
            seen.append(contentsOf: try await app.send(.get, "/api/v1/admin/instances/\(id)/telemetry?limit=500").body)
            seen.append(contentsOf: try await app.send(.get, "/api/v1/admin/instances/\(id)").body)
            seen.append(contentsOf: try await app.consolePage("/instances/\(id)").utf8)
            seen.append(contentsOf: try await app.consolePage("/").utf8)
            let found = DatabaseBytes.occurrences(of: PlantedPayload.markerPrefix, in: seen)
            let leaked = markers.filter { marker in found.contains { $0.hasPrefix(marker) } }
            #expect(leaked.isEmpty, "kept: \(leaked.prefix(5))")

            // The windows were stored, so the search above looked at real rows.
            let stored = try await app.send(.get, "/api/v1/admin/instances/\(id)/telemetry?limit=500")
                .decode([Wire.Licensing.TelemetryRecord].self)
            #expect(stored.count == 150)
        }
    }
}
