namespace Orchestrator.Cli.Tests.Support;

/// <summary>A YAML file in the temp folder with the given text, deleted on dispose.</summary>
internal sealed class TempYamlFile : IDisposable
{
    /// <summary>Writes <paramref name="text"/> to a new file.</summary>
    public TempYamlFile(string text)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"orch-test-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(Path, text);
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>A path in the temp folder where no file is.</summary>
    public static string Missing() => System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"orch-test-missing-{Guid.NewGuid():N}.yaml");

    /// <inheritdoc />
    public void Dispose() => File.Delete(Path);
}
