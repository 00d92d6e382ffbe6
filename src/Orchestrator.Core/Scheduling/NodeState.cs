namespace Orchestrator.Core.Scheduling;

/// <summary>One node in the core: which job holds each GPU, which GPUs are held for a nominated job, what is free.</summary>
internal sealed class NodeState
{
    public NodeState(NodeSpec spec, string topologyKey)
    {
        Spec = spec;
        Holder = new string?[spec.GpuCount];
        HeldFor = new string?[spec.GpuCount];
        FreeCpu = spec.CpuMillis;
        FreeMemory = spec.MemoryBytes;
        Apply(spec, topologyKey);
    }

    public NodeSpec Spec { get; private set; }
    public string Name => Spec.Name;
    public string ModelKey { get; private set; } = "";
    public string Topology { get; private set; } = "";

    /// <summary>The job holding each GPU (running or terminating), or null.</summary>
    public string?[] Holder { get; private set; }

    /// <summary>The nominated job each GPU is held for, or null.</summary>
    public string?[] HeldFor { get; private set; }

    /// <summary>GPUs below <see cref="NodeSpec.GpuCount"/> that no job holds and no nomination holds.</summary>
    public int FreeGpus { get; private set; }
    public long FreeCpu { get; set; }
    public long FreeMemory { get; set; }

    /// <summary>Running jobs with a replica here.</summary>
    public HashSet<string> Jobs { get; } = new(StringComparer.Ordinal);

    /// <summary>The free count under which the node sits in the index; -1 when not indexed.</summary>
    public int IndexedFree { get; set; } = -1;

    public bool Schedulable => Spec.Schedulable;

    /// <summary>Takes a new spec; the holders of GPUs beyond a smaller count keep them until released.</summary>
    public void Apply(NodeSpec spec, string topologyKey)
    {
        FreeCpu += spec.CpuMillis - Spec.CpuMillis;
        FreeMemory += spec.MemoryBytes - Spec.MemoryBytes;
        Spec = spec;
        ModelKey = GpuModels.Key(spec.GpuModel);
        Topology = spec.Labels.TryGetValue(topologyKey, out var value) ? value : "";
        var size = Math.Max(spec.GpuCount, LastUsed() + 1);
        if (size != Holder.Length)
        {
            var holder = Holder;
            var heldFor = HeldFor;
            Holder = new string?[size];
            HeldFor = new string?[size];
            Array.Copy(holder, Holder, Math.Min(size, holder.Length));
            Array.Copy(heldFor, HeldFor, Math.Min(size, heldFor.Length));
        }

        Recount();
    }

    public void Recount()
    {
        var free = 0;
        for (var i = 0; i < Spec.GpuCount; i++)
        {
            if (Holder[i] is null && HeldFor[i] is null) free++;
        }

        FreeGpus = free;
    }

    /// <summary>GPUs free for <paramref name="jobId"/>: free ones and ones held for it.</summary>
    public int FreeGpusFor(string jobId)
    {
        var free = FreeGpus;
        for (var i = 0; i < Spec.GpuCount; i++)
        {
            if (Holder[i] is null && HeldFor[i] == jobId) free++;
        }

        return free;
    }

    /// <summary>Gives <paramref name="count"/> GPUs to <paramref name="jobId"/>: first those held for it, then the lowest free.</summary>
    public int[] Take(string jobId, int count)
    {
        var taken = new List<int>(count);
        for (var i = 0; i < Spec.GpuCount && taken.Count < count; i++)
        {
            if (Holder[i] is null && HeldFor[i] == jobId) taken.Add(i);
        }

        for (var i = 0; i < Spec.GpuCount && taken.Count < count; i++)
        {
            if (Holder[i] is null && HeldFor[i] is null) taken.Add(i);
        }

        if (taken.Count < count) throw new InvalidOperationException($"node {Name} has fewer than {count} GPUs free for job {jobId}");
        taken.Sort();
        foreach (var i in taken)
        {
            Holder[i] = jobId;
            HeldFor[i] = null;
        }

        Recount();
        return [.. taken];
    }

    private int LastUsed()
    {
        for (var i = Holder.Length - 1; i >= 0; i--)
        {
            if (Holder[i] is not null || HeldFor[i] is not null) return i;
        }

        return -1;
    }
}
