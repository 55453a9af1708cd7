/// The version of this Steward build, reported by the hub's health endpoint and by agents in their facts.
public enum StewardVersion {
    public static let current = "0.1.0"
}
