using System.Diagnostics;
using Orchestrator.Storage.AppendLogs;
using Orchestrator.Storage.Tests.Support;

namespace Orchestrator.Storage.Tests.AppendLogs;

/// <summary>Verifies that a log's directory is locked while open: a second opener, in this process or another,
/// is refused with a clear message, and the lock is released on dispose.</summary>
public sealed class AppendLogLockTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task SecondOpener_IsRefused_UntilTheFirstIsDisposed()
    {
        var first = await AppendLog.OpenAsync(_dir.Path);

        var refused = await Assert.ThrowsAsync<IOException>(() => AppendLog.OpenAsync(_dir.Path));
        await first.DisposeAsync();
        await using var second = await AppendLog.OpenAsync(_dir.Path);

        Assert.Contains("in use", refused.Message);
        Assert.Contains(_dir.Path, refused.Message);
    }

    [Fact]
    public async Task AnotherProcess_CannotTakeTheLock_WhileTheLogIsOpen()
    {
        var lockPath = _dir.Combine(AppendLog.LockFileName);
        const int Conflict = 75;
        int whileOpen;
        await using (await AppendLog.OpenAsync(_dir.Path))
        {
            whileOpen = await RunFlockAsync(lockPath, Conflict);
        }

        var afterDispose = await RunFlockAsync(lockPath, Conflict);

        Assert.Equal(Conflict, whileOpen);
        Assert.Equal(0, afterDispose);
    }

    /// <summary>Runs util-linux <c>flock --nonblock</c> on the lock file in a separate process.</summary>
    private static async Task<int> RunFlockAsync(string lockPath, int conflictExitCode)
    {
        using var process = Process.Start(new ProcessStartInfo("flock", ["--nonblock", "--conflict-exit-code", $"{conflictExitCode}", lockPath, "true"])
        {
            RedirectStandardError = true,
        })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return process.ExitCode;
    }
}
