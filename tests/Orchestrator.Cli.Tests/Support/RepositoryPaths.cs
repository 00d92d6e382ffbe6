namespace Orchestrator.Cli.Tests.Support;

/// <summary>Paths inside the repository the tests run from.</summary>
internal static class RepositoryPaths
{
    /// <summary>The repository root: the nearest folder above the test binaries that holds Orchestrator.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The churn example's folder.</summary>
    public static string ChurnExample => Path.Combine(Root, "examples", "churn");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException($"no Orchestrator.sln above {AppContext.BaseDirectory}");
    }
}
