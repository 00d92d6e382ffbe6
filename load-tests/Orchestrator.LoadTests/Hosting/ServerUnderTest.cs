using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Orchestrator.LoadTests.Hosting;

/// <summary>How to start the server under test.</summary>
/// <param name="Dll">The built Orchestrator.Server.dll.</param>
/// <param name="Durability">fsync (the default) or none.</param>
/// <param name="ExtraArguments">More server switches, passed as given.</param>
/// <param name="KeepData">Leave the data directory behind (for a look at what was written).</param>
internal sealed record ServerLaunch(string Dll, string Durability, IReadOnlyList<string> ExtraArguments, bool KeepData);

/// <summary>The server the benchmarks talk to: either one this program starts from the built dll (free loopback
/// ports, a fresh data directory, no in-process agent, killed with its whole tree at the end, also on Ctrl+C), or one
/// given by URL, which is left as it is.</summary>
internal sealed class ServerUnderTest : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly Process? _process;
    private readonly OutputTail _output;
    private readonly string? _dataDirectory;
    private readonly bool _keepData;
    private int _disposed;

    private ServerUnderTest(string address, string description, Process? process, OutputTail output, string? dataDirectory, bool keepData)
    {
        Address = address;
        Description = description;
        _process = process;
        _output = output;
        _dataDirectory = dataDirectory;
        _keepData = keepData;
    }

    /// <summary>The gRPC address, e.g. http://127.0.0.1:41234.</summary>
    public string Address { get; }

    /// <summary>What it is, for the report.</summary>
    public string Description { get; }

    /// <summary>True when this program started it (and so knows no agent is connected).</summary>
    public bool StartedHere => _process is not null;

    /// <summary>The server's process id, when started here.</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>The server's last output lines (empty for a server given by URL).</summary>
    public string RecentOutput => _output.ToString();

    /// <summary>A server somebody else runs.</summary>
    public static ServerUnderTest Attach(string url) => new(url, $"given server {url}", null, new OutputTail(1), null, keepData: true);

    /// <summary>Starts the server and waits until its health check reports SERVING.</summary>
    public static async Task<ServerUnderTest> StartAsync(ServerLaunch launch, CancellationToken cancellationToken)
    {
        if (!File.Exists(launch.Dll))
            throw new UsageException($"--server-dll: {launch.Dll} does not exist; build it first (dotnet build -c Release load-tests/Orchestrator.LoadTests) or give --server URL");

        var ports = FreePorts.Take(4);
        var dataDirectory = Path.Combine(Path.GetTempPath(), "orch-load-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dataDirectory);
        var info = new ProcessStartInfo(Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dataDirectory,
        };
        info.ArgumentList.Add(launch.Dll);
        string[] switches =
        [
            "--data-dir", dataDirectory, "--grpc-port", Text(ports[0]), "--http-port", Text(ports[1]), "--silo-port", Text(ports[2]),
            "--gateway-port", Text(ports[3]), "--agent", "false", "--durability", launch.Durability,
        ];
        foreach (var s in switches.Concat(launch.ExtraArguments)) info.ArgumentList.Add(s);
        // The server runs as a user would start it: the load generator's own runtime settings stay here.
        foreach (var name in LoadGeneratorEnvironment.Settings.Keys) info.Environment.Remove(name);

        var output = new OutputTail(200);
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var address = $"http://127.0.0.1:{ports[0]}";
        var server = new ServerUnderTest(address,
            $"started {launch.Dll} (pid {process.Id}) at {address}, data {dataDirectory}, durability {launch.Durability}, no agent" +
            (launch.ExtraArguments.Count > 0 ? ", " + string.Join(' ', launch.ExtraArguments) : ""),
            process, output, dataDirectory, launch.KeepData);
        // Last resort if this program ends without reaching its finally (an unhandled exception on another thread).
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.KillTree();
        try
        {
            await server.WaitUntilServingAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Throws when a server started here has died (its output tail says why).</summary>
    public void ThrowIfExited()
    {
        if (_process is { HasExited: true })
            throw new InvalidOperationException($"the server exited with code {_process.ExitCode}; its last output:\n{RecentOutput}");
    }

    /// <summary>Kills a server started here with its tree and removes its data directory (unless kept).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        KillTree();
        if (_process is not null)
        {
            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                await Console.Error.WriteLineAsync($"warning: server pid {_process.Id} did not exit within 30 s of SIGKILL");
            }

            _process.Dispose();
        }

        if (_dataDirectory is not null && !_keepData)
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException e)
            {
                await Console.Error.WriteLineAsync($"warning: could not remove {_dataDirectory}: {e.Message}");
            }
        }
    }

    private void KillTree()
    {
        try
        {
            if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }
    }

    private async Task WaitUntilServingAsync(CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(Address);
        var health = new Health.HealthClient(channel);
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        string last = "no answer yet";
        while (Stopwatch.GetTimestamp() < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfExited();
            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken);
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving) return;
                last = reply.Status.ToString();
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                last = e.Status.Detail;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"the server did not report SERVING within {StartTimeout.TotalSeconds:F0} s (last: {last}); its output:\n{RecentOutput}");
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
}
