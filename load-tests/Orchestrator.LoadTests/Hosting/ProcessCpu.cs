using System.Diagnostics;

namespace Orchestrator.LoadTests.Hosting;

/// <summary>CPU time a process has used, for its share of the machine during a window.</summary>
internal static class ProcessCpu
{
    /// <summary>User plus system time of process <paramref name="processId"/>, or null when it cannot be read.</summary>
    public static TimeSpan? Used(int? processId)
    {
        if (processId is not { } id) return null;
        try
        {
            using var process = Process.GetProcessById(id);
            return process.TotalProcessorTime;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }
}
