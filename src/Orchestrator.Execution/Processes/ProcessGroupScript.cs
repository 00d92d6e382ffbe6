namespace Orchestrator.Execution.Processes;

/// <summary>The <c>/bin/sh</c> wrapper every step process starts through, so that no step process outlives the agent.</summary>
/// <remarks>
/// <para>Run as <c>/bin/sh -c SCRIPT orch-step /path/to/setsid ARGV…</c> with stdin a pipe from the agent. It forks a
/// watchdog, then <c>exec</c>s <c>setsid ARGV…</c>: the step keeps the wrapper's pid, and since a child the agent
/// starts is never a process-group leader, setsid does not fork, so that pid is also the id of the step's new session
/// and process group, and the exit status the agent sees is the step's own.</para>
/// <para>The watchdog reads signal names from the pipe and sends each to the whole group. When the pipe ends (the
/// agent closed it, exited or was SIGKILLed) it sends SIGKILL to the group: grandchildren included, nothing is left.
/// It ignores INT/TERM/HUP so that a Ctrl-C meant for the agent cannot remove this guarantee. A signal sent before
/// setsid has run is retried until the group exists; a bounded number of tries keeps a recycled pid from spinning it.</para>
/// </remarks>
internal static class ProcessGroupScript
{
    /// <summary>What the agent writes to ask for SIGTERM.</summary>
    public const string Term = "TERM\n";

    /// <summary>What the agent writes to ask for SIGKILL.</summary>
    public const string Kill = "KILL\n";

    /// <summary>The script text ($0 is a label, $1 the setsid path, the rest the step's argv).</summary>
    public const string Text = """
        exec 3<&0
        pg=$$
        (
          trap '' INT TERM HUP
          signal_group() {
            tries=0
            until kill -s "$1" -- "-$pg" 2>/dev/null; do
              kill -0 "$pg" 2>/dev/null || return 0
              tries=$((tries + 1))
              [ "$tries" -lt 10000 ] || return 0
            done
          }
          while read -r sig <&3; do signal_group "$sig"; done
          signal_group KILL
        ) </dev/null >/dev/null 2>&1 &
        exec "$@" </dev/null 3<&-
        """;

    /// <summary>The setsid executable (util-linux), found once.</summary>
    public static string? SetsidPath { get; } =
        ExecutableLocator.Find("setsid", Environment.GetEnvironmentVariable("PATH"), "/")
        ?? new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);
}
