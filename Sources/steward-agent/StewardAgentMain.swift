import ArgumentParser
import StewardAgentCommand
import StewardCore

/// `steward-agent`: the agent alone, for servers. It links the agent and the core only (no hub, no
/// SQL, no templates) and, in a release build, the Swift runtime statically, so it runs on a server
/// with no Swift installed. Its options are `steward agent`'s.
@main
struct StewardAgentMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steward-agent", abstract: AgentCommand.configuration.abstract, discussion: AgentCommand.configuration.discussion,
        version: StewardVersion.current)

    @OptionGroup var agent: AgentCommand

    func run() async throws {
        try await agent.run()
    }
}
