namespace Orchestrator.EndToEnd.Tests.Harness;

/// <summary>Paths in the repository and of the built executables.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration the tests were built with (the executables were built the same way).</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    public static string ServerDll => Output("Orchestrator.Server", "Orchestrator.Server.dll");

    public static string AgentDll => Output("Orchestrator.Agent", "Orchestrator.Agent.dll");

    public static string CliDll => Output("Orchestrator.Cli", "orch.dll");

    public static string Example(string relative) => Path.Combine(Root, "examples", relative);

    private static string Output(string project, string file)
    {
        var path = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build the solution first", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("Orchestrator.sln not found above " + AppContext.BaseDirectory);
    }
}
