using k8s;
using k8s.Models;

using Microsoft.Extensions.Logging;

namespace Orchestrator.Execution.Kubernetes;

/// <summary>Keeps the set of GPU nodes that take steps current: lists the nodes, then watches them, and tells its
/// subscriber each time a node starts or stops taking steps (or changes how it registers).</summary>
public sealed class KubernetesNodeWatcher
{
    private readonly IKubernetes _client;
    private readonly KubernetesExecutorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, KubernetesGpuNode> _nodes = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Creates a watcher; nothing is read until <see cref="RunAsync"/>.</summary>
    public KubernetesNodeWatcher(IKubernetes client, KubernetesExecutorOptions options, TimeProvider time, ILogger logger)
    {
        _client = client;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Raised when a node starts taking steps, or registers differently (the new reading).</summary>
    public event Action<KubernetesGpuNode>? NodeReady;

    /// <summary>Raised with a node's name and why, when it stops taking steps (deleted, cordoned, not Ready, no GPUs).</summary>
    public event Action<string, string>? NodeGone;

    /// <summary>The GPU nodes that take steps now.</summary>
    public IReadOnlyList<KubernetesGpuNode> Nodes
    {
        get
        {
            lock (_gate) return _nodes.Values.OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Lists and watches nodes until <paramref name="cancellationToken"/> is cancelled, re-listing after a broken watch.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var list = await _client.CoreV1.ListNodeAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                Reconcile(list.Items);
                var events = _client.CoreV1.WatchListNodeAsync(resourceVersion: list.Metadata?.ResourceVersion, cancellationToken: cancellationToken);
                await foreach (var (type, node) in events.ConfigureAwait(false))
                {
                    switch (type)
                    {
                        case WatchEventType.Added or WatchEventType.Modified:
                            Apply(node);
                            break;
                        case WatchEventType.Deleted:
                            Remove(node.Metadata?.Name ?? "", "it was deleted");
                            break;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                KubernetesLog.NodeWatchBroke(_logger, e.Message);
            }
            try
            {
                await Task.Delay(_options.WatchRetryDelay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Reconcile(IList<V1Node> nodes)
    {
        var present = nodes.Select(n => n.Metadata?.Name ?? "").ToHashSet(StringComparer.Ordinal);
        List<string> gone;
        lock (_gate) gone = _nodes.Keys.Where(n => !present.Contains(n)).ToList();
        foreach (var name in gone) Remove(name, "it was deleted");
        foreach (var node in nodes) Apply(node);
    }

    private void Apply(V1Node node)
    {
        var (reading, skipped) = KubernetesGpuNode.From(node);
        if (reading is null)
        {
            Remove(node.Metadata?.Name ?? "", skipped!);
            return;
        }
        lock (_gate)
        {
            if (_nodes.TryGetValue(reading.Name, out var known) && known.SameRegistration(reading)) return;
            _nodes[reading.Name] = reading;
        }
        KubernetesLog.NodeJoined(_logger, reading.Name, reading.Gpus);
        NodeReady?.Invoke(reading);
    }

    private void Remove(string name, string reason)
    {
        lock (_gate)
        {
            if (!_nodes.Remove(name)) return;
        }
        KubernetesLog.NodeLeft(_logger, name, reason);
        NodeGone?.Invoke(name, reason);
    }
}
