using Orchestrator.Contracts.Yaml;

namespace Orchestrator.Cli;

/// <summary>Files the user names with <c>-f</c>.</summary>
internal static class CliFiles
{
    /// <summary>Reads <paramref name="path"/> and parses it with <paramref name="parse"/>; every YAML problem becomes one
    /// line of a usage error that names the file, the line/column and the field path.</summary>
    public static T ReadYaml<T>(string path, Func<string, T> parse)
    {
        var yaml = ReadText(path);
        try
        {
            return parse(yaml);
        }
        catch (PipelineYamlException e)
        {
            throw new CliUsageException(string.Join('\n', e.Errors.Select(error => $"{path}, {error}")));
        }
    }

    /// <summary>The whole text of <paramref name="path"/>; a missing or unreadable file is a usage error naming it.</summary>
    public static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliUsageException($"-f '{path}': no such file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"-f '{path}': cannot read it ({e.Message})");
        }
    }
}
