using Orchestrator.Storage.Tests.AppendLogs;

namespace Orchestrator.Storage.Tests;

/// <summary>Entry point of this assembly when a test starts it as a child process; the test runner does not use it.</summary>
public static class Program
{
    /// <summary>Runs the child role named by the first argument.</summary>
    public static async Task<int> Main(string[] args) => args switch
    {
        [CrashWriter.Role, var directory] => await CrashWriter.RunAsync(directory),
        _ => 2,
    };
}
