using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Orchestrator.LoadTests.Hosting;

/// <summary>Runtime settings a gRPC load generator with hundreds of calls in flight needs (BUILD-NOTES: without them
/// the client exhausts the shared ArrayPool and spends ~40% of its time in GC). The runtime reads them at start-up
/// only, so when they are missing the program starts itself again with them set.</summary>
internal static class LoadGeneratorEnvironment
{
    /// <summary>Buffers per size per core in the shared ArrayPool (the runtime's default is 32).</summary>
    public const string ArrayPoolVariable = "DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION";

    /// <summary>Gen0 budget of the GC.</summary>
    public const string Gen0SizeVariable = "DOTNET_GCgen0size";

    /// <summary>The values this program runs with.</summary>
    public static IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [ArrayPoolVariable] = "512",
        [Gen0SizeVariable] = "0x4000000",
    };

    /// <summary>What this process runs with, for the report.</summary>
    public static string Describe() =>
        string.Join(' ', Settings.Keys.Select(k => $"{k}={Environment.GetEnvironmentVariable(k) ?? "(unset)"}"));

    /// <summary>Null when the settings are in effect (run here); otherwise runs a child process that has them and
    /// returns its exit code. Ctrl+C reaches the child from the terminal; SIGTERM is passed on to it.</summary>
    public static async Task<int?> RestartWithSettingsIfMissingAsync(string[] args)
    {
        if (Environment.GetEnvironmentVariable(ArrayPoolVariable) is not null) return null;

        var host = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this process is unknown; set " + ArrayPoolVariable + "=512 yourself");
        var info = new ProcessStartInfo(host) { UseShellExecute = false };
        // Started as `dotnet Orchestrator.LoadTests.dll`: the host is dotnet and needs the dll again.
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (name, value) in Settings)
        {
            if (Environment.GetEnvironmentVariable(name) is null) info.Environment[name] = value;
        }

        using var child = Process.Start(info) ?? throw new InvalidOperationException($"could not start {host} again");
        // The terminal sends Ctrl+C to the child as well: stay alive until it has cleaned up.
        Console.CancelKeyPress += (_, e) => e.Cancel = true;
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            NativeMethods.Terminate(child.Id);
        });
        await child.WaitForExitAsync();
        return child.ExitCode;
    }
}
