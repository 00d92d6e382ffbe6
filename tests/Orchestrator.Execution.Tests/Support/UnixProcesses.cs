using System.Globalization;
using System.Runtime.InteropServices;

namespace Orchestrator.Execution.Tests.Support;

/// <summary>Looks at and cleans up processes by pid, for tests that must prove a process is gone.</summary>
public static class UnixProcesses
{
    public const int SigKill = 9;

    /// <summary>The state letter, process group and session of a live process, or null when it no longer exists.</summary>
    public static (char State, int ProcessGroup, int Session)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        // The command name is in parentheses and may contain spaces: fields start after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (fields[0][0], int.Parse(fields[2], CultureInfo.InvariantCulture), int.Parse(fields[3], CultureInfo.InvariantCulture));
    }

    /// <summary>True when the process has exited (absent, or a zombie waiting to be reaped).</summary>
    public static bool IsGone(int pid) => Stat(pid) is not { } stat || stat.State is 'Z' or 'X';

    /// <summary>Sends SIGKILL to a process group (cleanup after a failed assertion); ignores errors.</summary>
    public static void KillGroup(int processGroup) => _ = Kill(-processGroup, SigKill);

    /// <summary>Sends SIGTERM to one process.</summary>
    public static void Terminate(int pid) => _ = Kill(pid, 15);

    /// <summary>Sends SIGKILL to one process; ignores errors.</summary>
    public static void KillProcess(int pid) => _ = Kill(pid, SigKill);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
