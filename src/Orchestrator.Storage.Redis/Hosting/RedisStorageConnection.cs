using StackExchange.Redis;

namespace Orchestrator.Storage.Redis.Hosting;

/// <summary>The one connection the Redis stores of a process share (its own, apart from Orleans' providers').</summary>
public sealed class RedisStorageConnection : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _multiplexer;

    /// <summary>Prepares a connection to <see cref="RedisStorageOptions.Configuration"/>; it opens on first use.</summary>
    public RedisStorageConnection(RedisStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configuration = ConfigurationOptions.Parse(options.Configuration);
        // Keep retrying while Redis is down or restarting instead of failing the process: calls fail meanwhile.
        configuration.AbortOnConnectFail = false;
        _multiplexer = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(configuration));
    }

    /// <summary>The shared multiplexer.</summary>
    public IConnectionMultiplexer Multiplexer => _multiplexer.Value;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_multiplexer.IsValueCreated) _multiplexer.Value.Dispose();
    }
}
