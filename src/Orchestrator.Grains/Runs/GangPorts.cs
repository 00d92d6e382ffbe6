using Orchestrator.Core.Runs;

namespace Orchestrator.Grains.Runs;

/// <summary>The rendezvous port of a gang attempt (MASTER_PORT), the same wherever it is computed.</summary>
/// <remarks>A hash of the attempt into 20000-29999, clear of common service ports and below Linux's default ephemeral
/// range (32768+), so a client socket rarely holds it. Two gangs whose replica 0 shares a node collide with odds about
/// (gangs on that node)² / 20,000; a pipeline that must rule it out sets MASTER_PORT in the step's env, which wins.</remarks>
public static class GangPorts
{
    /// <summary>Lowest port handed out.</summary>
    public const int First = 20000;

    /// <summary>Ports in the range.</summary>
    public const int Count = 10000;

    /// <summary>The port of an attempt (FNV-1a of its key: stable across processes and versions).</summary>
    public static int For(StepRef attempt)
    {
        var hash = 2166136261u;
        foreach (var c in attempt.ForAttempt().ToString())
        {
            hash ^= c;
            hash *= 16777619u;
        }

        return First + (int)(hash % Count);
    }
}
