import Foundation

/// Where mcptop reads its configuration and keeps its state (XDG Base Directory spec).
public struct ConfigLocations: Sendable, Equatable {
    public var configFile: String
    /// True when the user named the file (flag or environment): then it must exist.
    public var configFileWasChosen: Bool
    public var stateDirectory: String

    /// `--config` beats `MCPTOP_CONFIG` beats `$XDG_CONFIG_HOME/mcptop/config.json`;
    /// `--state-dir` beats `MCPTOP_STATE_DIR` beats `$XDG_STATE_HOME/mcptop`.
    public static func resolve(
        configFlag: String?, stateDirFlag: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> ConfigLocations {
        let home = environment["HOME"] ?? NSHomeDirectory()
        func nonEmpty(_ key: String) -> String? {
            guard let value = environment[key], !value.isEmpty else { return nil }
            return value
        }
        let configHome = nonEmpty("XDG_CONFIG_HOME") ?? home + "/.config"
        let stateHome = nonEmpty("XDG_STATE_HOME") ?? home + "/.local/state"
        let chosen = configFlag ?? nonEmpty("MCPTOP_CONFIG")
        return ConfigLocations(
            configFile: chosen ?? configHome + "/mcptop/config.json",
            configFileWasChosen: chosen != nil,
            stateDirectory: stateDirFlag ?? nonEmpty("MCPTOP_STATE_DIR") ?? stateHome + "/mcptop")
    }
}
