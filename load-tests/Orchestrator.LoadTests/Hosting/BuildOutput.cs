namespace Orchestrator.LoadTests.Hosting;

/// <summary>Where this program and the server it starts were built.</summary>
internal static class BuildOutput
{
    /// <summary>The configuration this program was built in (Release for measurements).</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "unknown";

    /// <summary>The server dll built with this program (same configuration), or null outside the repository.</summary>
    public static string? DefaultServerDll()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln")))
                return Path.Combine(dir.FullName, "src", "Orchestrator.Server", "bin", Configuration, "net10.0", "Orchestrator.Server.dll");
        }

        return null;
    }
}
