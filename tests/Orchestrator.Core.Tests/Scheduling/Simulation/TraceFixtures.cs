namespace Orchestrator.Core.Tests.Scheduling.Simulation;

/// <summary>Paths of the real traces in the shared fixtures (<c>../shared/fixtures/traces</c> beside the repository).</summary>
internal static class TraceFixtures
{
    /// <summary>The traces folder.</summary>
    public static string Folder { get; } = Find();

    /// <summary>Muri's 400-job trace (ms).</summary>
    public static string Muri => Path.Combine(Folder, "muri", "cluster_trace.csv");

    /// <summary>The Philly trace (82,247 jobs).</summary>
    public static string Philly => Path.Combine(Folder, "philly", "philly.csv");

    /// <summary>Tiresias' 60-job trace (s).</summary>
    public static string Tiresias60 => Path.Combine(Folder, "tiresias", "60_job.csv");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures", "traces"));
            }
        }

        throw new InvalidOperationException($"no Orchestrator.sln above {AppContext.BaseDirectory}");
    }
}
