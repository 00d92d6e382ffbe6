using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;
using Orchestrator.Grains.Nodes;
using Orchestrator.Grains.Tests.Support;
using Orchestrator.Storage;

namespace Orchestrator.Grains.Tests.Nodes;

/// <summary>Verifies the node grain's group commit on a cluster of its own with fsync: concurrent allocations on one
/// node never hand out a GPU twice, share journal writes, and are exactly what storage holds after a deactivation; a
/// release and an allocation that reuses its GPU, in flight together, become durable in that order; and a failed
/// journal write (injected by moving the stored chunk's version on) leaves nothing of its batch in memory or storage,
/// and the node's next activation allocates those GPUs again.</summary>
public sealed class AllocationGroupCommitTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private OrchestratorCluster? _cluster;

    private OrchestratorCluster Cluster => _cluster ?? throw new InvalidOperationException("the cluster has not started");

    public async Task InitializeAsync() => _cluster = await OrchestratorCluster.StartAsync(_data.Path, Durability.Fsync);

    public async Task DisposeAsync()
    {
        try
        {
            if (_cluster is not null) await _cluster.DisposeAsync();
        }
        finally
        {
            _data.Dispose();
        }
    }

    [Fact]
    public async Task ConcurrentAllocations_OnOneNode_NeverShareAGpu_ShareWrites_AndAreWhatStorageHolds()
    {
        var agent = await ConnectAsync("busy", gpus: 8);
        // 64 calls at once: 48 for one GPU (each GPU six times), then 16 for two.
        var requests = Enumerable.Range(0, 64)
            .Select(i => i >= 48 ? Request(Step($"pair-{i}"), i % 8, (i + 3) % 8) : Request(Step($"one-{i}"), i % 8))
            .ToList();
        var results = await Task.WhenAll(requests.Select(r => agent.Grain.AllocateAsync([r])));

        var accepted = results.SelectMany(r => r.Accepted).ToHashSet();
        Assert.Equal(requests.Count, accepted.Count + results.Sum(r => r.Rejected.Count));
        var gpusOf = requests.Where(r => accepted.Contains(r.Step)).ToDictionary(r => r.Step, r => r.Gpus);
        var handedOut = gpusOf.Values.SelectMany(g => g).ToList();
        Assert.Equal(handedOut.Count, handedOut.Distinct().Count());
        // A GPU stays free only if every call for it was refused, and a one-GPU call is refused only for a taken GPU.
        Assert.Equal(Enumerable.Range(0, 8), handedOut.Order());

        var writes = await ChunkWritesAsync(agent.Grain);
        Assert.True(writes < accepted.Count, $"{accepted.Count} accepted allocations took {writes} journal writes: calls in flight together must share one");

        await Cluster.DeactivateAsync(agent.Grain);
        var durable = await ReadDurableAsync(agent.Grain);
        Assert.Equal(gpusOf.Keys.Select(s => s.ToString()).Order(), durable.Keys.Order());
        foreach (var (step, gpus) in gpusOf) Assert.Equal(gpus, durable[step.ToString()].Gpus);
    }

    [Fact]
    public async Task ReleaseAndReallocationOfTheSameGpu_InFlightTogether_BecomeDurableInOrder()
    {
        var agent = await ConnectAsync("reuse", gpus: 1);
        var holder = Step("hold-0");
        Assert.Single((await agent.Grain.AllocateAsync([Request(holder, 0)])).Accepted);
        for (var round = 1; round <= 20; round++)
        {
            var next = Step($"hold-{round}");
            // The node sends the agent the stop order in the turn in which it decides the release, so once the order
            // is here the release is decided; the allocation, sent at once, usually arrives while the release's flush
            // is still running, and must be decided against the GPU the release freed.
            var release = agent.Grain.ReleaseAsync([holder], stopProcess: true);
            await UntilAsync(() => agent.Cancels.Any(c => c.Step == holder), $"the agent is told to stop {holder}");
            var allocate = agent.Grain.AllocateAsync([Request(next, 0)]);
            await release;
            Assert.Equal([next], (await allocate).Accepted);
            holder = next;
        }

        // Replaying the stored changes in order, GPU 0 never has two holders: each release is stored before the
        // allocation that reuses the GPU (in the same write or an earlier one).
        var holders = new HashSet<string>();
        var stored = await StoredChangesAsync(agent.Grain);
        Assert.Equal(41, stored.Count);
        foreach (var change in stored)
        {
            if (change.Released) Assert.True(holders.Remove(change.Allocation.Step.ToString()));
            else Assert.True(holders.Add(change.Allocation.Step.ToString()) && holders.Count == 1,
                $"{change.Allocation.Step} stored as holding GPU 0 while {string.Join(", ", holders)} held it");
        }

        await Cluster.DeactivateAsync(agent.Grain);
        Assert.Equal([holder.ToString()], (await ReadDurableAsync(agent.Grain)).Keys);
    }

    [Fact]
    public async Task AFailedWrite_LeavesNothingOfItsBatch_AndTheNextActivationAllocatesThoseGpus()
    {
        var agent = await ConnectAsync("faulty", gpus: 4);
        var first = Step("first");
        Assert.Single((await agent.Grain.AllocateAsync([Request(first, 0)])).Accepted);

        // Rewriting the stored chunk unchanged moves its version on, so the node's next write fails its version check.
        var chunk = new GrainState<AllocationChunk>(new AllocationChunk());
        await Cluster.GrainStorage.ReadStateAsync("alloc-events-0", agent.Grain.GetGrainId(), chunk);
        await Cluster.GrainStorage.WriteStateAsync("alloc-events-0", agent.Grain.GetGrainId(), chunk);

        var doomed = new[] { Step("doomed-1"), Step("doomed-2") };
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            agent.Grain.AllocateAsync([Request(doomed[0], 1), Request(doomed[1], 2)]));
        Assert.Equal([first.ToString()], (await ReadDurableAsync(agent.Grain)).Keys);

        // The broken activation refuses everything until it is replaced; the next one loads what is durable.
        await Eventually.MatchAsync(() => Succeeds(() => agent.RegisterAsync([first])), ok => ok, "the node accepts its agent again");
        var again = Step("again");
        Assert.Equal([again], (await agent.Grain.AllocateAsync([Request(again, 1)])).Accepted);
        // The new activation asks each loaded allocation's run whether it still wants it; the test's runs do not
        // exist, so "first" is released. Waiting for that leaves nothing in flight that could reactivate the node.
        await Eventually.MatchAsync(async () => (await agent.Grain.GetAsync()).Allocations.Select(a => a.Step.ToString()).ToList(),
            held => held.SequenceEqual([again.ToString()]), "the node holds only the new allocation");

        await Cluster.DeactivateAsync(agent.Grain);
        var durable = await ReadDurableAsync(agent.Grain);
        Assert.Equal([again.ToString()], durable.Keys);
    }

    private async Task<SimulatedAgent> ConnectAsync(string name, int gpus) =>
        await SimulatedAgent.ConnectAsync(Cluster.Client, $"{name}-{_id}", gpus, $"gpu-{_id}");

    private StepRef Step(string key) => new($"run-{_id}", key, 1);

    private static AllocationRequest Request(StepRef step, params int[] gpus) =>
        new(step, new ResourceRequest(CpuMillis: 10, MemoryBytes: 1 << 20, Gpus: gpus.Length, GpuModel: ""), gpus);

    /// <summary>Polls without delay (a flush takes milliseconds), up to the usual deadline.</summary>
    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Eventually.DefaultTimeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting until {what}");
            await Task.Yield();
        }
    }

    private static async Task<bool> Succeeds(Func<Task> call)
    {
        try
        {
            await call();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The node's allocations as a fresh activation would load them.</summary>
    private async Task<Dictionary<string, AllocationRecord>> ReadDurableAsync(IGpuNodeGrain node)
    {
        var journal = new AllocationJournal(Cluster.GrainStorage, node.GetGrainId());
        await journal.LoadAsync();
        return journal.Allocations;
    }

    /// <summary>Every change in the stored chunks, in order (no snapshot is due in these short tests).</summary>
    private async Task<List<AllocationChange>> StoredChangesAsync(IGpuNodeGrain node)
    {
        var changes = new List<AllocationChange>();
        foreach (var chunk in await StoredChunksAsync(node)) changes.AddRange(chunk.State!.Changes);
        return changes;
    }

    /// <summary>Writes of the stored chunks: each chunk's version counts the writes to it.</summary>
    private async Task<long> ChunkWritesAsync(IGpuNodeGrain node) => (await StoredChunksAsync(node)).Sum(c => long.Parse(c.ETag!));

    private async Task<List<GrainState<AllocationChunk>>> StoredChunksAsync(IGpuNodeGrain node)
    {
        var chunks = new List<GrainState<AllocationChunk>>();
        for (var index = 0; ; index++)
        {
            var chunk = new GrainState<AllocationChunk>(new AllocationChunk());
            await Cluster.GrainStorage.ReadStateAsync($"alloc-events-{index}", node.GetGrainId(), chunk);
            if (!chunk.RecordExists) return chunks;
            chunks.Add(chunk);
        }
    }
}
