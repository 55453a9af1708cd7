import Foundation
import StewardCore

#if canImport(Glibc)
import Glibc
#endif

/// Reads the host's metrics from `/proc` and `statvfs`: CPU use (total and per state), load, memory
/// and swap, each real filesystem's space and inodes, network traffic per interface, uptime and the
/// number of processes.
///
/// CPU and network figures are rates between two readings, so the first reading has none of them.
/// Reading costs a handful of small files and one `statvfs` per filesystem.
public struct HostMetrics {
    /// Where `/proc` is; tests point it at a folder of fixture files.
    var proc = "/proc"
    private var lastCPU: CPUTimes?
    private var lastNetwork: (at: Date, counters: [String: NetworkCounters])?

    /// Filesystems that hold data; pseudo and in-memory ones (proc, sysfs, tmpfs, overlay …) are left out.
    static let realFilesystems: Set<String> = [
        "ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "vfat", "exfat", "f2fs", "jfs", "reiserfs", "ntfs", "ntfs3", "nfs", "nfs4",
        "cifs", "fuseblk",
    ]

    public init(proc: String = "/proc") {
        self.proc = proc
    }

    public mutating func sample(at now: Date) -> Wire.Metrics.Sample {
        var values: [String: Double] = [:]
        if let stat = read("stat"), let cpu = CPUTimes(stat: stat) {
            if let last = lastCPU { values.merge(cpu.percentages(since: last)) { _, new in new } }
            lastCPU = cpu
        }
        if let load = read("loadavg") { values.merge(Self.load(load)) { _, new in new } }
        if let memory = read("meminfo") { values.merge(Self.memory(memory)) { _, new in new } }
        if let uptime = read("uptime"), let seconds = uptime.split(separator: " ").first.flatMap({ Double($0) }) {
            values["uptime.seconds"] = seconds
        }
        if let processes = try? FileManager.default.contentsOfDirectory(atPath: proc) {
            values["process.count"] = Double(processes.filter { $0.allSatisfy(\.isNumber) }.count)
        }
        if let mounts = read("self/mounts") {
            for mount in Self.filesystems(mounts) {
                values.merge(Self.space(of: mount)) { _, new in new }
            }
        }
        if let dev = read("net/dev") {
            let counters = Self.network(dev)
            if let last = lastNetwork {
                values.merge(Self.rates(counters, since: last.counters, seconds: now.timeIntervalSince(last.at))) { _, new in new }
            }
            lastNetwork = (now, counters)
        }
        return .init(at: now, values: values)
    }

    private func read(_ name: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: proc + "/" + name) else { return nil }
        defer { try? handle.close() }
        return String(data: handle.readDataToEndOfFile(), encoding: .utf8)
    }

    // MARK: CPU

    /// The first line of `/proc/stat`: clock ticks spent in each state since boot.
    struct CPUTimes: Equatable {
        var user, nice, system, idle, iowait, irq, softirq, steal: Double

        init?(stat: String) {
            guard let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
            let numbers = line.split(separator: " ").dropFirst().compactMap { Double($0) }
            guard numbers.count >= 8 else { return nil }
            (user, nice, system, idle, iowait, irq, softirq, steal) =
                (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5], numbers[6], numbers[7])
        }

        var total: Double { user + nice + system + idle + iowait + irq + softirq + steal }

        func percentages(since last: CPUTimes) -> [String: Double] {
            let elapsed = total - last.total
            guard elapsed > 0 else { return [:] }
            func share(_ ticks: Double) -> Double { (max(0, ticks) / elapsed * 1000).rounded() / 10 }
            let idleTicks = (idle - last.idle) + (iowait - last.iowait)
            return [
                "cpu.percent": share(elapsed - idleTicks),
                "cpu.user_percent": share((user - last.user) + (nice - last.nice)),
                "cpu.system_percent": share((system - last.system) + (irq - last.irq) + (softirq - last.softirq)),
                "cpu.iowait_percent": share(iowait - last.iowait),
                "cpu.steal_percent": share(steal - last.steal),
                "cpu.idle_percent": share(idle - last.idle),
            ]
        }
    }

    // MARK: Load and memory

    static func load(_ text: String) -> [String: Double] {
        let fields = text.split(separator: " ").prefix(3).compactMap { Double($0) }
        guard fields.count == 3 else { return [:] }
        return ["load.1": fields[0], "load.5": fields[1], "load.15": fields[2]]
    }

    static func memory(_ text: String) -> [String: Double] {
        var kilobytes: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, let value = Double(parts[1]) else { continue }
            kilobytes[String(parts[0].dropLast())] = value
        }
        guard let total = kilobytes["MemTotal"], total > 0, let available = kilobytes["MemAvailable"] else { return [:] }
        var values = [
            "memory.total_bytes": total * 1024, "memory.available_bytes": available * 1024,
            "memory.used_bytes": (total - available) * 1024, "memory.used_percent": ((total - available) / total * 1000).rounded() / 10,
        ]
        if let swapTotal = kilobytes["SwapTotal"], let swapFree = kilobytes["SwapFree"] {
            values["swap.used_bytes"] = (swapTotal - swapFree) * 1024
            values["swap.free_bytes"] = swapFree * 1024
            if swapTotal > 0 { values["swap.used_percent"] = ((swapTotal - swapFree) / swapTotal * 1000).rounded() / 10 }
        }
        return values
    }

    // MARK: Filesystems

    /// Mount points of real filesystems, one per device (bind mounts of the same one are left out).
    static func filesystems(_ mounts: String) -> [String] {
        var devices: Set<String> = []
        var points: [String] = []
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3, realFilesystems.contains(String(fields[2])) else { continue }
            let point = unescape(String(fields[1]))
            guard devices.insert(String(fields[0])).inserted,
                Wire.Metrics.parse(key: Wire.Metrics.key("disk.used_percent", ["mount": point])) != nil
            else { continue }
            points.append(point)
        }
        return points
    }

    /// `/proc/self/mounts` writes a space as `\040`, a tab as `\011`, a backslash as `\134`.
    static func unescape(_ field: String) -> String {
        var result = ""
        var index = field.startIndex
        while index < field.endIndex {
            let rest = field[index...]
            if rest.hasPrefix("\\"), rest.count >= 4, let code = UInt8(rest.dropFirst().prefix(3), radix: 8) {
                result.append(Character(UnicodeScalar(code)))
                index = field.index(index, offsetBy: 4)
            } else {
                result.append(field[index])
                index = field.index(after: index)
            }
        }
        return result
    }

    static func space(of mount: String) -> [String: Double] {
        var stats = statvfs()
        guard statvfs(mount, &stats) == 0, stats.f_blocks > 0 else { return [:] }
        let unit = Double(stats.f_frsize)
        let used = Double(stats.f_blocks - stats.f_bfree) * unit
        let available = Double(stats.f_bavail) * unit
        let labels = ["mount": mount]
        var values = [
            Wire.Metrics.key("disk.used_bytes", labels): used, Wire.Metrics.key("disk.free_bytes", labels): available,
            // As df counts it: the space reserved for root is neither used nor available to others.
            Wire.Metrics.key("disk.used_percent", labels): used + available > 0 ? (used / (used + available) * 1000).rounded() / 10 : 0,
        ]
        if stats.f_files > 0 {
            let inodesUsed = Double(stats.f_files - stats.f_ffree)
            values[Wire.Metrics.key("disk.inodes_used", labels)] = inodesUsed
            values[Wire.Metrics.key("disk.inodes_used_percent", labels)] = (inodesUsed / Double(stats.f_files) * 1000).rounded() / 10
        }
        return values
    }

    // MARK: Network

    struct NetworkCounters: Equatable {
        var rxBytes, rxPackets, rxErrors, txBytes, txPackets, txErrors: Double
    }

    /// `/proc/net/dev`: counters since boot per interface (the loopback one left out).
    static func network(_ text: String) -> [String: NetworkCounters] {
        var result: [String: NetworkCounters] = [:]
        for line in text.split(separator: "\n").dropFirst(2) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let numbers = line[line.index(after: colon)...].split(separator: " ").compactMap { Double($0) }
            guard name != "lo", numbers.count >= 11,
                Wire.Metrics.parse(key: Wire.Metrics.key("network.rx_bytes", ["interface": name])) != nil
            else { continue }
            result[name] = .init(
                rxBytes: numbers[0], rxPackets: numbers[1], rxErrors: numbers[2], txBytes: numbers[8], txPackets: numbers[9],
                txErrors: numbers[10])
        }
        return result
    }

    /// Per-second rates between two readings; a counter that went down (an interface re-created) gives none.
    static func rates(_ now: [String: NetworkCounters], since last: [String: NetworkCounters], seconds: Double) -> [String: Double] {
        guard seconds > 0 else { return [:] }
        var values: [String: Double] = [:]
        for (name, current) in now {
            guard let previous = last[name] else { continue }
            let pairs: [(String, Double, Double)] = [
                ("network.rx_bytes", current.rxBytes, previous.rxBytes), ("network.tx_bytes", current.txBytes, previous.txBytes),
                ("network.rx_packets", current.rxPackets, previous.rxPackets),
                ("network.tx_packets", current.txPackets, previous.txPackets),
                ("network.rx_errors", current.rxErrors, previous.rxErrors), ("network.tx_errors", current.txErrors, previous.txErrors),
            ]
            for (metric, value, before) in pairs where value >= before {
                values[Wire.Metrics.key(metric, ["interface": name])] = ((value - before) / seconds * 10).rounded() / 10
            }
        }
        return values
    }
}
