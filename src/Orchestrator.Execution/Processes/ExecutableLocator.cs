namespace Orchestrator.Execution.Processes;

/// <summary>Finds the file a command name runs, the way <c>execvp</c> does.</summary>
internal static class ExecutableLocator
{
    /// <summary>The absolute path of <paramref name="command"/>: a path with a slash is taken relative to
    /// <paramref name="workingDirectory"/>, a bare name is searched on <paramref name="searchPath"/>; null when none exists.</summary>
    public static string? Find(string command, string? searchPath, string workingDirectory)
    {
        if (command.Length == 0) return null;
        if (command.Contains('/'))
        {
            var path = Path.GetFullPath(command, workingDirectory);
            return File.Exists(path) ? path : null;
        }
        foreach (var directory in (searchPath ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(Path.GetFullPath(directory, workingDirectory), command);
            if (File.Exists(candidate) && IsExecutable(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>True when someone may execute the file (owner, group or other execute bit).</summary>
    public static bool IsExecutable(string path)
    {
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & anyExecute) != 0;
    }
}
