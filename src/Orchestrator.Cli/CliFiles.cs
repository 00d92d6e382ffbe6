namespace Orchestrator.Cli;

/// <summary>Files the user names with <c>-f</c>.</summary>
internal static class CliFiles
{
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
