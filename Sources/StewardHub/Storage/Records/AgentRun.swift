/// One run of an agent's process: the agent picks a new `runID` each time it starts and says it in
/// its first heartbeat, which makes that run the current one.
public struct AgentRun: Sendable, Hashable {
    public var agentID: String
    public var runID: String

    public init(agentID: String, runID: String) {
        self.agentID = agentID
        self.runID = runID
    }

    /// A long poll of a run that is no longer the agent's current one: its process is gone (or a
    /// second process shares the agent's credentials), so a job handed to it would be lost.
    public struct Superseded: Error, Sendable {
        public var run: AgentRun
    }
}
