using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace Orchestrator.Storage.Redis.Tests.Support;

/// <summary>A real Debian <c>redis-server</c> on a free loopback port with append-only persistence in a temporary
/// directory; killed (and its directory deleted) on dispose, even when a test failed.</summary>
public sealed class RedisServer : IAsyncLifetime
{
    private readonly StringBuilder _output = new();
    private Process? _process;
    private ConnectionMultiplexer? _connection;

    /// <summary>The server's data directory.</summary>
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "orch-redis-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The port it listens on.</summary>
    public int Port { get; } = FreePort();

    /// <summary>The StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>A connection the tests share.</summary>
    public IConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("not started");

    /// <summary>A key prefix no other test uses.</summary>
    public static string UniquePrefix() => "test-" + Guid.NewGuid().ToString("N")[..10] + ":";

    private readonly string _appendFsync;

    /// <summary>A server whose append-only file is flushed every second (the shared test server).</summary>
    public RedisServer()
        : this("everysec")
    {
    }

    /// <summary>A server with the given <c>appendfsync</c> policy (<c>always</c> where a test stops Redis and counts
    /// on every acknowledged write being in the file).</summary>
    internal RedisServer(string appendFsync) => _appendFsync = appendFsync;

    /// <inheritdoc/>
    public Task InitializeAsync() => StartAsync();

    /// <summary>Stops the server the hard way (SIGKILL, as a crash or an OOM kill would); the data directory stays.</summary>
    public async Task KillAsync()
    {
        _connection?.Dispose();
        _connection = null;
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts the server (again) on the same port and data directory, replaying its append-only file.</summary>
    public async Task StartAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--dir", DataDirectory, "--appendonly", "yes", "--appendfsync", _appendFsync, "--save", "" })
        {
            info.ArgumentList.Add(a);
        }

        try
        {
            _process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed: run tests/run.sh (it installs it) or apt-get install -y redis-server", e);
        }

        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}:\n{Output}");
            try
            {
                _connection = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { Configuration }, ConnectTimeout = 1000 });
                if (_connection.IsConnected) return;
                _connection.Dispose();
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet: try again until the deadline.
            }

            if (DateTime.UtcNow > deadline) throw new TimeoutException($"redis-server did not accept connections within 20 s:\n{Output}");
            await Task.Delay(50);
        }
    }

    /// <summary>What the server printed.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        _connection?.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Test classes in this collection share one redis-server; each uses its own key prefix.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "redis";
}
