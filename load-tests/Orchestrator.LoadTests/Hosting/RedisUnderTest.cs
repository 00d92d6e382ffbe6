using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orchestrator.LoadTests.Hosting;

/// <summary>Debian's <c>redis-server</c> started for one benchmark: a free loopback port, a fresh temporary directory,
/// append-only persistence (<c>everysec</c>, as <c>deploy/local/cluster.sh</c> runs it), not daemonized so that it is
/// this program's child, killed at the end (also on Ctrl+C) and its directory removed.</summary>
internal sealed class RedisUnderTest : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly OutputTail _output;
    private readonly string _directory;
    private int _disposed;

    private RedisUnderTest(Process process, OutputTail output, string directory, int port)
    {
        _process = process;
        _output = output;
        _directory = directory;
        Port = port;
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string the servers are given.</summary>
    public string Endpoint => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>What it is, for the report.</summary>
    public string Description => $"redis-server (pid {_process.Id}) at {Endpoint}, appendonly yes, appendfsync everysec, dir {_directory}";

    /// <summary>Starts redis-server and waits until it answers PING.</summary>
    public static async Task<RedisUnderTest> StartAsync(CancellationToken cancellationToken)
    {
        var executable = FindRedisServer()
            ?? throw new UsageException("--cluster: redis-server is not on PATH; install Debian's (apt-get install redis-server) or run without --cluster");
        var port = FreePorts.Take(1)[0];
        var directory = Path.Combine(Path.GetTempPath(), "orch-load-redis-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory,
        };
        // No RDB snapshots: the append-only file is the persistence under test, and a snapshot fork would disturb the figures.
        string[] arguments =
        [
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory, "--daemonize", "no",
            "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--logfile", "",
        ];
        foreach (var a in arguments) info.ArgumentList.Add(a);
        var output = new OutputTail(50);
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var redis = new RedisUnderTest(process, output, directory, port);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => redis.Kill();
        try
        {
            await redis.WaitUntilAnsweringAsync(cancellationToken);
            return redis;
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>Throws when it has died (its output tail says why).</summary>
    public void ThrowIfExited()
    {
        if (_process.HasExited)
            throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode}; its last output:\n{_output}");
    }

    /// <summary>Kills it and removes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        Kill();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            await Console.Error.WriteLineAsync($"warning: redis-server pid {_process.Id} did not exit within 30 s of SIGKILL");
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"warning: could not remove {_directory}: {e.Message}");
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }
    }

    private async Task WaitUntilAnsweringAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        var last = "no answer yet";
        while (Stopwatch.GetTimestamp() < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfExited();
            try
            {
                if (await PingAsync(cancellationToken) is var reply && reply.StartsWith("+PONG", StringComparison.Ordinal)) return;
                last = reply;
            }
            catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                last = e.Message;
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException($"redis-server did not answer PING on {Endpoint} within {StartTimeout.TotalSeconds:F0} s (last: {last}); its output:\n{_output}");
    }

    /// <summary>One inline PING over a fresh connection; the first line of the reply.</summary>
    private async Task<string> PingAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer, timeout.Token);
        return Encoding.ASCII.GetString(buffer, 0, read).TrimEnd();
    }

    private static string? FindRedisServer() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "redis-server"))
            .FirstOrDefault(File.Exists);
}
