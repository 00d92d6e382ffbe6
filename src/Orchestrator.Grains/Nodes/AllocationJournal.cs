using Orchestrator.Core.Runs;
using Orleans.Storage;

namespace Orchestrator.Grains.Nodes;

/// <summary>A node's allocations, stored as a snapshot plus a journal of changes in fixed-size chunks.</summary>
/// <remarks>
/// A node may hold thousands of allocations (CPU-only steps); rewriting all of them on every allocate and release
/// made each placement cost O(allocations). Here a batch of changes rewrites only the current chunk (at most
/// <see cref="ChunkSize"/> changes, or the one batch that is larger), and a new snapshot is written once the changes
/// since the last one outnumber the allocations, so the cost per change is O(1) amortized. Chunks carry the snapshot's generation: after a new snapshot,
/// chunk numbering restarts at 0 and any older chunk still stored under a reused name is recognised and ignored.
/// </remarks>
internal sealed class AllocationJournal(IGrainStorage storage, GrainId grainId)
{
    /// <summary>Changes per stored chunk.</summary>
    public const int ChunkSize = 32;

    private readonly GrainState<AllocationSnapshot> _snapshot = new(new AllocationSnapshot());
    private readonly Dictionary<int, string?> _chunkETags = [];
    private GrainState<AllocationChunk> _current = new(new AllocationChunk());
    private int _currentIndex;
    private int _changesSinceSnapshot;

    /// <summary>Current allocations by attempt (<see cref="StepRef.ToString"/>).</summary>
    public Dictionary<string, AllocationRecord> Allocations { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads the snapshot and replays the chunks of its generation.</summary>
    public async Task LoadAsync()
    {
        await storage.ReadStateAsync("alloc-snapshot", grainId, _snapshot);
        var snapshot = _snapshot.State!;
        foreach (var (key, allocation) in snapshot.Allocations) Allocations[key] = allocation;
        for (var index = 0; ; index++)
        {
            var chunk = new GrainState<AllocationChunk>(new AllocationChunk());
            await storage.ReadStateAsync(ChunkName(index), grainId, chunk);
            _chunkETags[index] = chunk.ETag;
            if (!chunk.RecordExists || chunk.State!.Generation != snapshot.Generation)
            {
                _current = new GrainState<AllocationChunk>(new AllocationChunk { Generation = snapshot.Generation }, chunk.ETag);
                _currentIndex = index;
                return;
            }

            foreach (var change in chunk.State.Changes) Apply(change);
            _changesSinceSnapshot += chunk.State.Changes.Count;
            (_current, _currentIndex) = (chunk, index);
        }
    }

    /// <summary>Persists changes in one write, then applies them. On failure nothing changes in memory (the stored
    /// chunk may or may not hold them: the caller must not append again before reloading).</summary>
    /// <remarks>The whole batch goes into one chunk, so it becomes durable all at once: a release and an allocation
    /// that reuses its GPUs, appended together, can never be read back one without the other. A chunk that already
    /// holds changes and has no room for the batch is left short and the batch starts the next one; a batch larger
    /// than <see cref="ChunkSize"/> makes its chunk larger.</remarks>
    public async Task AppendAsync(IReadOnlyList<AllocationChange> changes)
    {
        if (changes.Count == 0) return;
        if (_current.State!.Changes.Count > 0 && _current.State.Changes.Count + changes.Count > ChunkSize) await StartChunkAsync(_currentIndex + 1);
        var chunk = _current;
        var before = chunk.State!.Changes.Count;
        chunk.State.Changes.AddRange(changes);
        try
        {
            await Write(_currentIndex, chunk);
        }
        catch
        {
            chunk.State.Changes.RemoveRange(before, chunk.State.Changes.Count - before);
            throw;
        }

        foreach (var change in changes) Apply(change);
        _changesSinceSnapshot += changes.Count;
    }

    /// <summary>Whether enough changes have accumulated since the last snapshot that <see cref="CompactAsync"/> would write one.</summary>
    public bool CompactionDue => _changesSinceSnapshot > Math.Max(2 * ChunkSize, Allocations.Count);

    /// <summary>Writes a snapshot of the durable allocations if one is due, so a reload replays few chunks. A failed
    /// snapshot is ignored: the changes are durable in the chunks and the snapshot is tried again later.</summary>
    public async Task CompactAsync()
    {
        if (!CompactionDue) return;
        try
        {
            await SnapshotAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Only an optimisation; the next append that makes it due again retries.
        }
    }

    private async Task Write(int index, GrainState<AllocationChunk> chunk)
    {
        await storage.WriteStateAsync(ChunkName(index), grainId, chunk);
        _chunkETags[index] = chunk.ETag;
    }

    private async Task SnapshotAsync()
    {
        var previous = _snapshot.State!;
        _snapshot.State = new AllocationSnapshot
        {
            Generation = previous.Generation + 1, Allocations = new Dictionary<string, AllocationRecord>(Allocations, StringComparer.Ordinal),
        };
        try
        {
            await storage.WriteStateAsync("alloc-snapshot", grainId, _snapshot);
        }
        catch
        {
            _snapshot.State = previous;
            throw;
        }

        _changesSinceSnapshot = 0;
        await StartChunkAsync(0);
    }

    /// <summary>Moves to chunk <paramref name="index"/> of the current generation, learning the ETag of whatever
    /// older chunk is stored under that name so it can be overwritten.</summary>
    private async Task StartChunkAsync(int index)
    {
        if (!_chunkETags.TryGetValue(index, out var etag))
        {
            var existing = new GrainState<AllocationChunk>(new AllocationChunk());
            await storage.ReadStateAsync(ChunkName(index), grainId, existing);
            etag = existing.ETag;
            _chunkETags[index] = etag;
        }

        _current = new GrainState<AllocationChunk>(new AllocationChunk { Generation = _snapshot.State!.Generation }, etag);
        _currentIndex = index;
    }

    private void Apply(AllocationChange change)
    {
        var key = change.Allocation.Step.ToString();
        if (change.Released) Allocations.Remove(key);
        else Allocations[key] = change.Allocation;
    }

    private static string ChunkName(int index) => $"alloc-events-{index}";
}

/// <summary>One allocation made or released.</summary>
[GenerateSerializer]
[Alias("orch.allocation-change")]
public sealed record AllocationChange([property: Id(0)] AllocationRecord Allocation, [property: Id(1)] bool Released);

/// <summary>Stored snapshot of a node's allocations.</summary>
[GenerateSerializer]
[Alias("orch.allocation-snapshot")]
public sealed class AllocationSnapshot
{
    /// <summary>Increases with every snapshot; chunks of older generations are ignored.</summary>
    [Id(0)] public long Generation { get; set; }
    /// <summary>Allocations at the time of the snapshot.</summary>
    [Id(1)] public Dictionary<string, AllocationRecord> Allocations { get; set; } = [];
}

/// <summary>Stored chunk of allocation changes.</summary>
[GenerateSerializer]
[Alias("orch.allocation-chunk")]
public sealed class AllocationChunk
{
    /// <summary>The snapshot generation these changes follow.</summary>
    [Id(0)] public long Generation { get; set; }
    /// <summary>Changes in order.</summary>
    [Id(1)] public List<AllocationChange> Changes { get; set; } = [];
}
