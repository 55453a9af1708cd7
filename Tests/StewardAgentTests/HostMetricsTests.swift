import Foundation
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardAgent

/// The host metrics collector on a `/proc` of fixture files (exact numbers) and on this machine's
/// real one; and the buffer that keeps samples while the hub cannot be reached.
struct HostMetricsTests {
    /// A folder laid out like `/proc` with the files the collector reads.
    static func fakeProc(cpu: String, rx: Int, tx: Int) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let files = [
            "stat": "cpu  \(cpu)\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1\n",
            "loadavg": "0.52 0.58 0.61 2/1087 12345\n",
            "meminfo":
                "MemTotal:        1000000 kB\nMemFree:          100000 kB\nMemAvailable:     250000 kB\nSwapTotal:        200000 kB\nSwapFree:         150000 kB\n",
            "uptime": "12345.67 23456.78\n",
            "self/mounts": "proc /proc proc rw 0 0\n",
            "net/dev": """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo: 999 9 0 0 0 0 0 0 999 9 0 0 0 0 0 0
              eth0: \(rx) 10 1 0 0 0 0 0 \(tx) 20 2 0 0 0 0 0

            """,
        ]
        try FileManager.default.createDirectory(atPath: directory.path + "/self", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory.path + "/net", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory.path + "/1", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory.path + "/42", withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: directory.path + "/" + name, atomically: true, encoding: .utf8) }
        return directory
    }

    @Test("CPU shares and network rates come from the difference between two readings; load, memory and swap from one")
    func fixtureProc() throws {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let first = try Self.fakeProc(cpu: "100 0 50 800 50 0 0 0 0 0", rx: 1000, tx: 2000)
        defer { first.remove() }
        var metrics = HostMetrics(proc: first.path)
        let initial = metrics.sample(at: t0)
        #expect(initial.values["cpu.percent"] == nil, "no rate from one reading")
        #expect(initial.values["load.1"] == 0.52 && initial.values["load.15"] == 0.61)
        #expect(initial.values["memory.used_percent"] == 75)
        #expect(
            initial.values["memory.available_bytes"].map { Int($0) } == 256_000_000, "\(initial.values["memory.available_bytes"] ?? -1)")
        #expect(initial.values["swap.used_bytes"] == 50_000 * 1024 && initial.values["swap.used_percent"] == 25)
        #expect(initial.values["uptime.seconds"] == 12345.67)
        #expect(initial.values["process.count"] == 2, "numbered folders of /proc")

        // 200 more ticks: 50 user, 10 nice, 20 system, 100 idle, 20 iowait.
        try "cpu  150 10 70 900 70 0 0 0 0 0\n".write(toFile: first.path + "/stat", atomically: true, encoding: .utf8)
        let dev = try String(contentsOfFile: first.path + "/net/dev", encoding: .utf8)
        try dev.replacingOccurrences(of: "eth0: 1000 10", with: "eth0: 16000 10").replacingOccurrences(of: " 2000 20", with: " 2600 20")
            .write(toFile: first.path + "/net/dev", atomically: true, encoding: .utf8)
        let second = metrics.sample(at: t0.addingTimeInterval(15))
        #expect(second.values["cpu.percent"] == 40)
        #expect(second.values["cpu.user_percent"] == 30)
        #expect(second.values["cpu.system_percent"] == 10)
        #expect(second.values["cpu.iowait_percent"] == 10)
        #expect(second.values["cpu.idle_percent"] == 50)
        #expect(second.values["network.rx_bytes{interface=eth0}"] == 1000, "15000 bytes in 15 s")
        #expect(second.values["network.tx_bytes{interface=eth0}"] == 40)
        #expect(second.values.keys.allSatisfy { !$0.contains("interface=lo") })
        #expect(second.values.keys.allSatisfy { Wire.Metrics.parse(key: $0) != nil }, "every key is one the hub takes")
    }

    @Test("mounts: real filesystems only, one per device, escaped names read back")
    func mounts() {
        let mounts = """
            /dev/sda1 / ext4 rw,relatime 0 0
            proc /proc proc rw 0 0
            tmpfs /run tmpfs rw 0 0
            /dev/sda1 /srv/bind ext4 rw 0 0
            /dev/sdb1 /mnt/my\\040disk xfs rw 0 0
            overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0
            """
        #expect(HostMetrics.filesystems(mounts) == ["/", "/mnt/my disk"])
    }

    @Test("on this machine's /proc: plausible values, every key valid, cheap enough to take often")
    func realProc() throws {
        var metrics = HostMetrics()
        _ = metrics.sample(at: Date())
        let sample = metrics.sample(at: Date().addingTimeInterval(1))
        let memory = try #require(sample.values["memory.used_percent"])
        #expect((0...100).contains(memory))
        #expect(try #require(sample.values["load.1"]) >= 0)
        #expect(try #require(sample.values["process.count"]) >= 1)
        #expect(sample.values.keys.allSatisfy { Wire.Metrics.parse(key: $0) != nil }, "\(sample.values.keys.sorted())")
        for (key, value) in sample.values where key.hasPrefix("disk.used_percent") { #expect((0...100).contains(value), "\(key)") }
    }

    @Test("the buffer keeps samples on disk while the hub is away, restores them after a restart, empties when delivered, stays bounded")
    func buffer() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/metrics-pending.jsonl"
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var buffer = MetricsBuffer(path: path)
        for second in 0..<3 { buffer.append(.init(at: t0.addingTimeInterval(Double(second)), values: ["load.1": Double(second)])) }
        try buffer.keep()
        try buffer.keep()  // nothing new: nothing written twice
        var restarted = MetricsBuffer(path: path)
        #expect(restarted.pending.map(\.at) == buffer.pending.map(\.at), "the original times survive a restart")
        try restarted.delivered(2)
        #expect(MetricsBuffer(path: path).pending.map(\.values) == [["load.1": 2]])
        try restarted.delivered(1)
        #expect(MetricsBuffer(path: path).pending.isEmpty)

        var small = MetricsBuffer(path: directory.path + "/small.jsonl", maxBytes: 2000)
        for second in 0..<100 { small.append(.init(at: t0.addingTimeInterval(Double(second)), values: ["load.1": 1])) }
        try small.keep()
        #expect(small.dropped == 50 && small.pending.count == 50 && small.pending.first?.at == t0.addingTimeInterval(50))
        #expect(MetricsBuffer(path: directory.path + "/small.jsonl").pending.count == 50)
    }

    @Test("a report of big samples (many disks and interfaces) stays well under the hub's 1 MiB body limit")
    func reportSize() throws {
        let small = Wire.Metrics.Sample(at: Date(), values: ["cpu.percent": 1, "load.1": 0.5])
        #expect(MetricsLoop.reportCount(Array(repeating: small, count: 1000)) == MetricsLoop.samplesPerReport)
        var values: [String: Double] = [:]
        for index in 0..<400 { values[Wire.Metrics.key("network.rx_bytes", ["interface": "veth\(index)abcdef"])] = 123_456.789 }
        let big = Wire.Metrics.Sample(at: Date(), values: values)
        let pending = Array(repeating: big, count: 1000)
        let count = MetricsLoop.reportCount(pending)
        #expect(count >= 1 && count < MetricsLoop.samplesPerReport)
        let size = try Wire.makeEncoder().encode(Wire.Metrics.Report(samples: Array(pending.prefix(count)))).count
        #expect(size <= MetricsLoop.bytesPerReport + 1024 && size < 1 << 20, "\(count) samples: \(size) bytes")
        #expect(MetricsLoop.reportCount([]) == MetricsLoop.samplesPerReport)
    }
}
