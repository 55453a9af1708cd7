/// What a variable in a job's environment may be called. One definition for the hub (manifest
/// inputs, step environments) and the agent (every envelope, before anything runs), so that a
/// signed job cannot smuggle a loader or shell-control variable (`LD_PRELOAD`, `BASH_ENV`,
/// `BASH_FUNC_x%%`, `SHELLOPTS`, a second `PATH`) past the script digests an agent pins.
public enum EnvironmentName {
    /// Names the runner sets itself, or that change how a shell, the dynamic loader or the C library
    /// behave.
    public static let reserved: Set<String> = [
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "PWD", "OLDPWD", "IFS", "ENV", "BASH_ENV", "CDPATH", "PS1", "PS2", "PS4",
        "PROMPT_COMMAND", "LANG", "LANGUAGE", "TERM", "TMPDIR", "DEBIAN_FRONTEND", "HOSTNAME", "SHELLOPTS", "BASHOPTS",
        "GLOBIGNORE", "HISTFILE", "INPUTRC", "MAIL", "MAILPATH", "NLSPATH", "LOCPATH", "GCONV_PATH", "GLIBC_TUNABLES",
        "HOSTALIASES", "RESOLV_HOST_CONF", "TZDIR", "POSIXLY_CORRECT", "PYTHONPATH", "PYTHONSTARTUP", "PERL5LIB",
        "PERL5OPT", "RUBYOPT", "NODE_OPTIONS",
    ]
    /// Prefixes no name may start with: the runner's own (`STEWARD_`), the loader's, the locale's,
    /// exported bash functions, and glibc's allocator knobs.
    public static let reservedPrefixes = ["STEWARD_", "LD_", "LC_", "BASH_FUNC_", "DYLD_", "MALLOC_"]
    /// Names are short; a longer one is a mistake or an attack.
    public static let maxLength = 128

    /// Why `name` may not be an environment variable of a job, or `nil` when it may.
    public static func problem(_ name: String) -> String? {
        guard name.utf8.count <= maxLength, name.wholeMatch(of: /[A-Z][A-Z0-9_]*/) != nil else {
            return "must match ^[A-Z][A-Z0-9_]*$ (at most \(maxLength) characters)"
        }
        if reserved.contains(name) || reservedPrefixes.contains(where: { name.hasPrefix($0) }) {
            return "is reserved: the runner sets it, or it changes how the shell or the loader behave"
        }
        return nil
    }

    /// Every name of `environment` that may not be used, with why, sorted by name.
    public static func problems(_ environment: [String: String]) -> [(name: String, message: String)] {
        environment.keys.sorted().compactMap { name in problem(name).map { (name, $0) } }
    }
}
