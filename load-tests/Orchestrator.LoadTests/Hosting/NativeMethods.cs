using System.Runtime.InteropServices;

namespace Orchestrator.LoadTests.Hosting;

/// <summary>The one libc call .NET does not offer: sending SIGTERM (Process.Kill sends SIGKILL, which skips clean-up).</summary>
internal static class NativeMethods
{
    private const int SigTerm = 15;

    /// <summary>Asks a process to stop, letting it run its clean-up.</summary>
    public static void Terminate(int processId)
    {
        if (OperatingSystem.IsWindows()) return;
        _ = kill(processId, SigTerm);
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code for nothing here
    private static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
}
