using Microsoft.Extensions.Logging;
using Orchestrator.Grains.Metrics;

namespace Orchestrator.Grains.Nodes;

/// <summary>Group commit of the node's allocation changes.</summary>
/// <remarks>
/// Allocations and releases interleave (<see cref="IGpuNodeGrain.AllocateAsync"/> and the release methods are
/// <c>[AlwaysInterleave]</c>): each decides at once against the <em>claimed</em> view (what is durable plus every change
/// decided since, in order), stages its changes into the next batch, and answers only once that batch is durable. One
/// writer appends one batch at a time in a single journal write, so a node that is asked for hundreds of placements a
/// second pays one flush per batch instead of one per call, and a release always becomes durable in the same batch as,
/// or an earlier one than, any allocation that reuses its GPUs. If a write fails, the claimed view is ahead of the
/// journal: the activation stops taking changes and deactivates, and the next one reloads what is durable.
/// Registration, cordon and the lease check change what decisions depend on: they run in an exclusive section that
/// waits for the writer to be idle and holds new decisions back until it ends.
/// </remarks>
public sealed partial class GpuNodeGrain
{
    private readonly Dictionary<string, AllocationRecord> _claimed = new(StringComparer.Ordinal);
    private readonly HashSet<int> _claimedGpus = [];
    private long _cpuClaimed;
    private long _memoryClaimed;
    private Batch _next = new();
    private Batch? _inFlight;
    private bool _writing;
    private Task _writer = Task.CompletedTask;
    private TaskCompletionSource? _exclusive;
    private InvalidOperationException? _broken;

    /// <summary>Changes decided together, and the signal that they are durable.</summary>
    private sealed class Batch
    {
        public List<AllocationChange> Changes { get; } = [];
        public TaskCompletionSource Durable { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Waits until no exclusive section runs, so a decision sees the node's registration, cordon and lease as they are.</summary>
    private async Task BeforeDecidingAsync()
    {
        while (_exclusive is { } section) await section.Task;
        ThrowIfBroken();
    }

    private void ThrowIfBroken()
    {
        if (_broken is not null) throw _broken;
    }

    /// <summary>Stages changes decided against the claimed view and returns when everything staged so far is durable.</summary>
    private Task ChangeAsync(IReadOnlyList<AllocationChange> changes)
    {
        ThrowIfBroken();
        foreach (var change in changes) Claim(change);
        _next.Changes.AddRange(changes);
        // Taken before the writer starts: a write that fails at once must still fail this caller.
        var durable = WhenStagedDurableAsync();
        if (_next.Changes.Count > 0 && !_writing) _writer = WriteBatchesAsync();
        return durable;
    }

    /// <summary>Completes once every change staged until now is durable; an answer that depends on the claimed view
    /// (even a rejection, or an idempotent repeat) waits for this.</summary>
    private Task WhenStagedDurableAsync() =>
        _next.Changes.Count > 0 ? _next.Durable.Task : _inFlight?.Durable.Task ?? Task.CompletedTask;

    private void Claim(AllocationChange change)
    {
        var key = change.Allocation.Step.ToString();
        if (change.Released) _claimed.Remove(key); else _claimed[key] = change.Allocation;
        Count(change.Allocation, change.Released ? -1 : +1, _claimedGpus, ref _cpuClaimed, ref _memoryClaimed);
    }

    /// <summary>The single writer: appends the batch collected so far, releases its callers, and goes on while more was
    /// staged meanwhile. Never throws: a failure breaks the activation and fails the callers.</summary>
    private async Task WriteBatchesAsync()
    {
        _writing = true;
        try
        {
            while (_next.Changes.Count > 0)
            {
                var batch = _next;
                _next = new Batch();
                _inFlight = batch;
                try
                {
                    await _allocations.AppendAsync(batch.Changes);
                }
                catch (Exception e)
                {
                    Break(e, batch);
                    return;
                }

                _inFlight = null;
                Durable(batch.Changes);
                batch.Durable.SetResult();

                // Between batches, not inside one: callers already have their answers.
                await _allocations.CompactAsync();
            }
        }
        finally
        {
            _inFlight = null;
            _writing = false;
        }
    }

    /// <summary>The claimed view is ahead of the journal: later decisions were built on the failed batch, so they fail
    /// too, and the next activation reloads what is durable (runs learn of stale allocations by reconciliation).</summary>
    private void Break(Exception e, Batch failed)
    {
        // Callers get a plain exception: the storage's own may not cross a grain call (its inner types have no codec).
        _broken = new InvalidOperationException(
            $"Node {Name}: writing allocation changes failed ({e.GetType().Name}: {e.Message}); none of them holds, and the node's " +
            "next activation reloads its journal: retry the call");
        logger.LogError(e, "Node {Node}: writing {Count} allocation change(s) failed; the node's activation restarts from its journal",
            Name, failed.Changes.Count + _next.Changes.Count);
        failed.Durable.SetException(_broken);
        if (_next.Changes.Count > 0) _next.Durable.SetException(_broken);
        DeactivateOnIdle();
    }

    /// <summary>Keeps the durable totals, version and metrics in step with a batch that is now durable.</summary>
    private void Durable(List<AllocationChange> changes)
    {
        foreach (var change in changes) Count(change.Allocation, change.Released ? -1 : +1, _takenGpus, ref _cpuAllocated, ref _memoryAllocated);
        _version++;
        NodeMetrics.Allocation(Name, state.State.Gpus.Count, _takenGpus.Count);
        if (state.State.Draining && Allocations.Count == 0 && changes.Any(c => c.Released))
            logger.LogInformation("Node {Node} drained: nothing runs there; `orch nodes uncordon {Node}` returns it to placement", Name, Name);
    }

    private static void Count(AllocationRecord allocation, int sign, HashSet<int> gpus, ref long cpu, ref long memory)
    {
        cpu += sign * allocation.CpuMillis;
        memory += sign * allocation.MemoryBytes;
        foreach (var gpu in allocation.Gpus)
        {
            if (sign > 0) gpus.Add(gpu); else gpus.Remove(gpu);
        }
    }

    /// <summary>Runs <paramref name="body"/> once the writer is idle, holding new allocation decisions back until it
    /// ends: inside, the claimed view equals the durable one.</summary>
    private async Task<T> ExclusiveAsync<T>(Func<Task<T>> body)
    {
        while (_exclusive is { } other) await other.Task;
        var section = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _exclusive = section;
        try
        {
            while (_writing) await _writer;
            ThrowIfBroken();
            return await body();
        }
        finally
        {
            _exclusive = null;
            section.SetResult();
        }
    }

    private Task ExclusiveAsync(Func<Task> body) => ExclusiveAsync(async () =>
    {
        await body();
        return true;
    });

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A snapshot may still be in progress after the last batch's callers were answered.
        while (_writing) await _writer;
        await base.OnDeactivateAsync(reason, cancellationToken);
    }
}
