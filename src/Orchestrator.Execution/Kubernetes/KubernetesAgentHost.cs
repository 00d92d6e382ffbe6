using System.Threading.Channels;

using k8s;

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Orchestrator.Execution.Agent;

namespace Orchestrator.Execution.Kubernetes;

/// <summary>The Kubernetes executor as an agent: one <see cref="AgentRuntime"/> session per GPU node of the cluster
/// (named after the node, announcing its allocatable GPUs and labels), whose steps run as pods pinned to that node.
/// Sessions come and go with the nodes (<see cref="KubernetesNodeWatcher"/>).</summary>
public sealed class KubernetesAgentHost : BackgroundService
{
    private readonly AgentOptions _agentOptions;
    private readonly KubernetesExecutorOptions _options;
    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<NodeChange> _changes = Channel.CreateUnbounded<NodeChange>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, AgentRuntime> _sessions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sessionsGate = new(1, 1);

    /// <summary>Creates the host; <paramref name="client"/> talks to the API server and pods go to <paramref name="namespace"/>.</summary>
    public KubernetesAgentHost(IOptions<AgentOptions> agentOptions, IOptions<KubernetesExecutorOptions> options, IKubernetes client,
        string @namespace, ILoggerFactory loggers, TimeProvider time)
    {
        _agentOptions = agentOptions.Value;
        _options = options.Value;
        var problems = _options.Problems().ToList();
        if (problems.Count > 0) throw new OptionsValidationException(nameof(KubernetesExecutorOptions), typeof(KubernetesExecutorOptions), problems);
        _client = client;
        _namespace = @namespace;
        _loggers = loggers;
        _logger = loggers.CreateLogger<KubernetesAgentHost>();
        _time = time;
        Watcher = new KubernetesNodeWatcher(client, _options, time, _logger);
        Watcher.NodeReady += node => _changes.Writer.TryWrite(new NodeChange(node.Name, node));
        Watcher.NodeGone += (name, _) => _changes.Writer.TryWrite(new NodeChange(name, null));
    }

    /// <summary>The node watcher (the GPU nodes known now).</summary>
    public KubernetesNodeWatcher Watcher { get; }

    /// <summary>The agent session of each node that takes steps, by node name.</summary>
    public IReadOnlyDictionary<string, AgentRuntime> Sessions
    {
        get
        {
            lock (_sessions) return new Dictionary<string, AgentRuntime>(_sessions, StringComparer.Ordinal);
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await _sessionsGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            List<AgentRuntime> sessions;
            lock (_sessions)
            {
                sessions = [.. _sessions.Values];
                _sessions.Clear();
            }
            await Task.WhenAll(sessions.Select(s => StopSessionAsync(s, cancellationToken))).ConfigureAwait(false);
        }
        finally
        {
            _sessionsGate.Release();
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _sessionsGate.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        KubernetesLog.Starting(_logger, _namespace, _client.BaseUri?.ToString() ?? "?", _options.WorkspaceClaim ?? "(none)");
        var watching = Watcher.RunAsync(stoppingToken);
        try
        {
            await foreach (var change in _changes.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await _sessionsGate.WaitAsync(stoppingToken).ConfigureAwait(false);
                try
                {
                    await ApplyAsync(change, stoppingToken).ConfigureAwait(false);
                }
                finally
                {
                    _sessionsGate.Release();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync ends the sessions.
        }
        await watching.ConfigureAwait(false);
    }

    private async Task ApplyAsync(NodeChange change, CancellationToken cancellationToken)
    {
        AgentRuntime? previous;
        lock (_sessions)
        {
            if (_sessions.Remove(change.Name, out previous)) { }
        }
        // A node that left (or registers differently now) ends its session; its running pods are deleted and reported.
        if (previous is not null) await StopSessionAsync(previous, cancellationToken).ConfigureAwait(false);
        if (change.Node is not { } node) return;
        AgentRuntime session;
        try
        {
            session = CreateSession(node);
        }
        catch (OptionsValidationException e)
        {
            KubernetesLog.NodeLeft(_logger, node.Name, string.Join("; ", e.Failures));
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            KubernetesLog.SessionNotStarted(_logger, node.Name, e.Message);
            return;
        }
        lock (_sessions) _sessions[node.Name] = session;
        try
        {
            await session.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // One node's trouble must not stop the sessions of the others.
            KubernetesLog.SessionNotStarted(_logger, node.Name, e.Message);
        }
    }

    private AgentRuntime CreateSession(KubernetesGpuNode node)
    {
        var options = new AgentOptions
        {
            NodeName = node.Name,
            AdvertiseAddress = node.Address,
            // A node that does not report CPU or memory still takes GPU steps.
            CpuMillis = node.CpuMillis > 0 ? node.CpuMillis : 1,
            MemoryBytes = node.MemoryBytes > 0 ? node.MemoryBytes : 1,
            WorkDirectory = _agentOptions.WorkDirectory,
            HeartbeatInterval = _agentOptions.HeartbeatInterval,
            KillGrace = _agentOptions.KillGrace,
            FinalAckWait = _agentOptions.FinalAckWait,
            KeepWorkspaces = _agentOptions.KeepWorkspaces,
            LocalArtifactsDirectory = _agentOptions.LocalArtifactsDirectory,
            ReconnectDelay = _agentOptions.ReconnectDelay,
            MaxReconnectDelay = _agentOptions.MaxReconnectDelay,
        };
        options.Gateways.AddRange(_agentOptions.Gateways);
        foreach (var (key, value) in node.Labels) options.Labels[key] = value;
        foreach (var (key, value) in _agentOptions.Labels) options.Labels[key] = value;
        var runner = new PodStepRunner(_client, _namespace, node, _options, options.WorkDirectory, options.KillGrace, _time, _logger);
        return new AgentRuntime(Options.Create(options), new KubernetesNodeGpus(node), _loggers.CreateLogger<AgentRuntime>(), _time, runner);
    }

    private static async Task StopSessionAsync(AgentRuntime session, CancellationToken cancellationToken)
    {
        try
        {
            await session.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            session.Dispose();
        }
    }

    private sealed record NodeChange(string Name, KubernetesGpuNode? Node);
}
