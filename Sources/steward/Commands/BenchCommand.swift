import ArgumentParser

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Steward on this machine with real processes (use a release build).",
        subcommands: [StartupBench.self, DispatchBench.self, LogsBench.self, MetricsBench.self, AgentMemoryBench.self, FleetBench.self]
    )
}
