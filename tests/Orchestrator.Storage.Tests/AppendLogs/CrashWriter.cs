using System.Globalization;
using System.Text;
using Orchestrator.Storage.AppendLogs;

namespace Orchestrator.Storage.Tests.AppendLogs;

/// <summary>The child process of the kill test: writers put to their own keys as fast as the log allows and
/// report every acknowledged version on stdout, until the process is killed.</summary>
public static class CrashWriter
{
    /// <summary>The argument that selects this role.</summary>
    public const string Role = "crash-writer";

    /// <summary>Concurrent writers, one key each.</summary>
    public const int Writers = 32;

    /// <summary>Writes until killed.</summary>
    public static async Task<int> RunAsync(string directory)
    {
        var log = await AppendLog.OpenAsync(directory);
        var output = Console.Out;
        var gate = new Lock();
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            for (var n = 0L; ; n++)
            {
                // The value is the count of earlier puts, so a stored value can be checked against its version.
                var version = await log.PutAsync(Key(writer), Encoding.UTF8.GetBytes(n.ToString(CultureInfo.InvariantCulture)));
                lock (gate)
                {
                    output.WriteLine($"{writer} {version}");
                    output.Flush();
                }
            }
        })));
        return 0;
    }

    /// <summary>The key of one writer.</summary>
    public static string Key(int writer) => $"writer/{writer}";
}
