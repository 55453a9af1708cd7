import ArgumentParser
import StewardAgentCommand

@main
struct Steward: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steward",
        abstract: "A self-hosted control plane for fleets of Linux servers.",
        subcommands: [
            HubCommand.self, AgentCommand.self, DemoCommand.self, TokenCommand.self, ServersCommand.self, InstallCommand.self,
            JobsCommand.self, JobCommand.self, LogsCommand.self, CancelCommand.self, RetryCommand.self, CatalogCommand.self,
            InstallationsCommand.self, RolloutsCommand.self, SchedulesCommand.self, LoginCommand.self, LogoutCommand.self,
            ConfigCommand.self, AppsCommand.self, UninstallCommand.self, RunStepsCommand.self, AuditCommand.self, EventsCommand.self,
            AdminCommand.self, BenchCommand.self, LicensingCommand.self,
        ]
    )
}
