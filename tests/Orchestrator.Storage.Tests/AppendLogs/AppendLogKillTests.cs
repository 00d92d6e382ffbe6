using System.Diagnostics;
using System.Globalization;
using System.Text;
using Orchestrator.Storage.AppendLogs;
using Orchestrator.Storage.Tests.Support;

namespace Orchestrator.Storage.Tests.AppendLogs;

/// <summary>Verifies that a writer process killed mid-stream loses no acknowledged write: after the kill the log
/// opens, and every key holds at least its last acknowledged version with the value written at that version.</summary>
public sealed class AppendLogKillTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Kill_OfAWritingProcess_LosesNoAcknowledgedWrite()
    {
        var acknowledged = new long[CrashWriter.Writers];
        var total = 0;
        // The CLI tells child processes which dotnet host runs them; plain "dotnet" from PATH otherwise.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(dotnet, [typeof(CrashWriter).Assembly.Location, CrashWriter.Role, _dir.Path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (total < 3_000)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"The writer exited early: {await process.StandardError.ReadToEndAsync()}");
                var parts = line.Split(' ');
                acknowledged[int.Parse(parts[0], CultureInfo.InvariantCulture)] = long.Parse(parts[1], CultureInfo.InvariantCulture);
                total++;
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        await using var log = await AppendLog.OpenAsync(_dir.Path);
        for (var writer = 0; writer < CrashWriter.Writers; writer++)
        {
            var stored = log.TryRead(CrashWriter.Key(writer));
            Assert.NotNull(stored);
            Assert.True(stored.Value.Version >= acknowledged[writer], $"writer {writer}: acknowledged {acknowledged[writer]}, stored {stored.Value.Version}");
            Assert.Equal((stored.Value.Version - 1).ToString(CultureInfo.InvariantCulture), Encoding.UTF8.GetString(stored.Value.Value));
        }
    }
}
