namespace Orchestrator.Core.Scheduling;

/// <summary>EASY backfill's one reservation in a pass: the blocked job at the head, when it is expected to start, and
/// on each node it will use how many GPUs (free now or freed by then) are not needed by it. A job behind may take
/// those spare GPUs, or any GPUs if its own estimate ends before the reservation's start.</summary>
internal sealed class BackfillReservation(string jobId, DateTimeOffset? start, Dictionary<NodeState, int> spare)
{
    public string JobId => jobId;

    /// <summary>Estimated start; null when some job it waits for has no estimate.</summary>
    public DateTimeOffset? Start => start;

    public IEnumerable<NodeState> Nodes => spare.Keys;

    /// <summary>GPUs a job behind may take on <paramref name="node"/> without delaying the reservation.</summary>
    public int SpareOn(NodeState node) => spare.TryGetValue(node, out var gpus) ? gpus : int.MaxValue;

    public void Consume(NodeState node, int gpus)
    {
        if (spare.TryGetValue(node, out var left)) spare[node] = Math.Max(0, left - gpus);
    }

    /// <summary>Whether a job with this estimate must keep off the reserved GPUs (it may run past the start).</summary>
    public bool Constrains(TimeSpan? estimate, DateTimeOffset now) => !(start is { } s && estimate is { } e && now + e <= s);
}
