namespace Orchestrator.LoadTests.Hosting;

/// <summary>How busy the machine is, printed with the figures: on a shared 2-core machine other work moves them a lot.</summary>
internal static class MachineLoad
{
    /// <summary>The 1, 5 and 15 minute load averages, or "unknown" where /proc/loadavg does not exist.</summary>
    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return parts.Length >= 3 ? string.Join(' ', parts[..3]) : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }
}
